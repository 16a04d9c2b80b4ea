package org.rproxy.core.sign;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

import org.rproxy.core.config.IoProblems;

/**
 * Reading and writing of the PEM (RFC 7468) blocks keys are kept in, with error messages that
 * name the source (file or "PEM text") and say what was found instead. Stateless; any thread.
 */
final class Pem {
    private static final int MAX_FILE = 64 * 1024;

    private Pem() {
    }

    /** The file's text; an {@link IllegalArgumentException} naming it when it is unreadable or huge. */
    static String readFile(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE) {
                throw new IllegalArgumentException(file + ": " + size + " bytes (expected: a PEM key file, at most "
                        + MAX_FILE + " bytes)");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(file + ": cannot read key file (" + IoProblems.reason(e) + ")", e);
        }
    }

    /** The DER content of the first block of {@code type} in {@code text}. */
    static byte[] content(String text, String type, String source) {
        List<String> found = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(text))) {
            for (PemObject o = reader.readPemObject(); o != null; o = reader.readPemObject()) {
                if (type.equals(o.getType())) {
                    return o.getContent();
                }
                found.add(o.getType());
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(source + ": malformed PEM (" + e.getMessage() + ")", e);
        }
        String hint = found.isEmpty() ? "no PEM block at all" : "found " + found;
        if (found.contains("ENCRYPTED PRIVATE KEY")) {
            hint += "; encrypted keys are not supported, decrypt with: openssl pkcs8 -in KEY -nocrypt";
        } else if (found.contains("EC PRIVATE KEY")) {
            hint += "; convert the SEC1 key with: openssl pkcs8 -topk8 -nocrypt -in KEY";
        } else if ("PUBLIC KEY".equals(type) && found.contains("PRIVATE KEY")) {
            // the two files of a key pair swapped: say which one is wanted, by keygen's names
            hint += ": this is a private key; give the public key, origin.pub as rproxy keygen names it";
        } else if ("PRIVATE KEY".equals(type) && found.contains("PUBLIC KEY")) {
            hint += ": this is a public key; give the private key, origin.key as rproxy keygen names it";
        }
        throw new IllegalArgumentException(source + ": no '" + type + "' block (" + hint + ")");
    }

    /**
     * The key in the first block of {@code type} in {@code text}, decoded by {@code decoder}; one
     * the decoder refuses is refused naming {@code source} as not a valid {@code what}. One place
     * for the private and the public key, so both read and refuse alike.
     */
    static AsymmetricKeyParameter key(String text, String type, String source, KeyDecoder decoder, String what) {
        byte[] der = content(text, type, source);
        try {
            return decoder.decode(der);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(source + ": not a valid " + what + " (" + e.getMessage() + ")", e);
        }
    }

    /** Bouncy Castle's key factories: DER to a key, or an exception saying why not. */
    @FunctionalInterface
    interface KeyDecoder {
        AsymmetricKeyParameter decode(byte[] der) throws IOException;
    }

    static String write(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}
