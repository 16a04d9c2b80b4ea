package org.rproxy.core.sign;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Key material from the RFCs, and fresh keys for round trips. */
final class TestKeys {
    /** RFC 9421 Appendix B.1.4, test-key-ed25519. */
    static final String RFC9421_ED25519_PRIVATE = "-----BEGIN PRIVATE KEY-----\n"
            + "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
            + "-----END PRIVATE KEY-----\n";
    static final String RFC9421_ED25519_PUBLIC = "-----BEGIN PUBLIC KEY-----\n"
            + "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
            + "-----END PUBLIC KEY-----\n";
    /** RFC 9421 Appendix B.1.3, test-key-ecc-p256 (public half). */
    static final String RFC9421_P256_PUBLIC = "-----BEGIN PUBLIC KEY-----\n"
            + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf\n"
            + "w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==\n"
            + "-----END PUBLIC KEY-----\n";

    /** RFC 8037 Appendix A.1: the private key d and public key x (base64url). */
    static final String RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    static final String RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    /** RFC 8037 Appendix A.3: the RFC 7638 thumbprint of that key. */
    static final String RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {
    }

    static SigningKey fresh(SignatureAlgorithm algorithm) {
        return SigningKey.generate(algorithm, RANDOM);
    }

    /** The RFC 8037 A.1 key as PKCS#8 PEM (RFC 8410 §7 prefix + the 32-byte seed). */
    static String rfc8037PrivatePem() {
        byte[] prefix = HexFormat.of().parseHex("302e020100300506032b657004220420");
        byte[] d = Base64.getUrlDecoder().decode(RFC8037_D);
        byte[] der = new byte[prefix.length + d.length];
        System.arraycopy(prefix, 0, der, 0, prefix.length);
        System.arraycopy(d, 0, der, prefix.length, d.length);
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
    }
}
