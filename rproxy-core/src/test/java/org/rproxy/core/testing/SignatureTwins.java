package org.rproxy.core.testing;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.util.BigIntegers;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.stream.SignatureEvent;

/**
 * The other encoding of an origin's ECDSA P-256 signature that verifies as well: {@code (r, s)}
 * and {@code (r, n - s)} (n the order of P-256, taken from Bouncy Castle's curve table) are both
 * valid signatures over the same signature base. Made from the {@code Signature} field as sent
 * ({@code alto=:<base64 of r||s>:}, RFC 9421 §3.3.4), for tests of what a hostile source can send
 * without the origin's key.
 */
public final class SignatureTwins {
    /** The order of the P-256 group. */
    public static final BigInteger N = ECNamedCurveTable.getByName("P-256").getN();
    private static final int COORDINATE = 32;

    private SignatureTwins() {
    }

    /** The {@code Signature} field {@code alto=:<r || n - s>:} for the field {@code alto=:<r || s>:}. */
    public static String twin(String signatureField) {
        String prefix = "alto=:";
        if (!signatureField.startsWith(prefix) || !signatureField.endsWith(":")) {
            throw new IllegalArgumentException("not a lone alto signature: " + signatureField);
        }
        byte[] rs = Base64.getDecoder().decode(signatureField.substring(prefix.length(), signatureField.length() - 1));
        if (rs.length != 2 * COORDINATE) {
            throw new IllegalArgumentException("not an ECDSA P-256 r||s: " + rs.length + " bytes");
        }
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(rs, COORDINATE, rs.length));
        byte[] out = rs.clone();
        BigIntegers.asUnsignedByteArray(N.subtract(s), out, COORDINATE, COORDINATE);
        return prefix + Base64.getEncoder().encodeToString(out) + ":";
    }

    /** Whether the {@code s} of the field {@code alto=:<r || s>:} is above n / 2 ("high S"). */
    public static boolean highS(String signatureField) {
        byte[] rs = Base64.getDecoder().decode(signatureField.substring("alto=:".length(), signatureField.length() - 1));
        return new BigInteger(1, Arrays.copyOfRange(rs, COORDINATE, rs.length)).compareTo(N.shiftRight(1)) > 0;
    }

    /** {@code fields} with the {@code signature} field replaced by its twin. */
    public static List<HeaderField> twin(List<HeaderField> fields) {
        return fields.stream().map(f -> f.name().equals("signature") ? new HeaderField(f.name(), twin(f.value())) : f)
                .toList();
    }

    /** The signature event {@code event} with the signature of every variant replaced by its twin. */
    public static SignatureEvent twin(SignatureEvent event) {
        return new SignatureEvent(twin(event.identity()), event.gzip() == null ? null : twin(event.gzip()),
                event.maxAgeSeconds());
    }

    /**
     * The server-sent event {@code event} (its lines as sent, a signature event's data on one
     * {@code data:} line) with every signature in its data replaced by its twin.
     */
    public static String twinEvent(String event) {
        StringBuilder out = new StringBuilder();
        for (String line : event.split("\n", -1)) {
            if (line.startsWith("data: ")) {
                Bytes data = Bytes.utf8(line.substring("data: ".length()));
                out.append("data: ").append(twin(SignatureEvent.parse(data)).toJson().asUtf8());
            } else {
                out.append(line);
            }
            out.append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}
