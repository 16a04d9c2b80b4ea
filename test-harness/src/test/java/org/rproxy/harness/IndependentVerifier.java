package org.rproxy.harness;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.function.Function;

/**
 * A second RFC 9421 verifier written from the RFC alone with the JDK's own Ed25519 (SunEC), sharing
 * no code with {@code org.rproxy.core.sign}: if the product's signature base were not plain
 * RFC 9421, this would disagree with it. Handles only what the origin emits: label {@code alto},
 * HTTP field components, Ed25519, Content-Digest sha-256.
 */
final class IndependentVerifier {
    private final PublicKey key;

    IndependentVerifier(Path spkiPem) throws Exception {
        String pem = Files.readString(spkiPem, StandardCharsets.US_ASCII);
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    /** Returns null when valid, else the reason. */
    String check(Function<String, String> header, byte[] body) throws Exception {
        String input = header.apply("signature-input");
        String sig = header.apply("signature");
        if (input == null || sig == null || !input.startsWith("alto=(") || !sig.startsWith("alto=:")) {
            return "no alto signature";
        }
        String params = input.substring("alto=".length());
        String inner = params.substring(1, params.indexOf(')'));
        StringBuilder base = new StringBuilder();
        for (String component : inner.split(" ")) {
            String name = component.substring(1, component.length() - 1);
            String value = header.apply(name);
            if (value == null) {
                return "covered component missing: " + name;
            }
            base.append('"').append(name).append("\": ").append(value.trim()).append('\n');
        }
        base.append("\"@signature-params\": ").append(params);
        byte[] raw = Base64.getDecoder().decode(sig.substring("alto=:".length(), sig.length() - 1));
        Signature ed = Signature.getInstance("Ed25519");
        ed.initVerify(key);
        ed.update(base.toString().getBytes(StandardCharsets.US_ASCII));
        if (!ed.verify(raw)) {
            return "signature does not verify";
        }
        String digest = "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body)) + ":";
        if (!digest.equals(header.apply("content-digest"))) {
            return "content-digest does not match the body";
        }
        return null;
    }
}
