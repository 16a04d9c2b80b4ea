package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The two header field values {@link ResponseSigner} produces, ready to send beside the four
 * covered fields.
 *
 * @param signatureInput the {@code Signature-Input} value, e.g. {@code alto=("content-type" ...);created=...}
 * @param signature      the {@code Signature} value, {@code alto=:<base64>:}
 */
public record SignatureHeaders(String signatureInput, String signature) {
    /** The signature label (RFC 9421 §4) every ALTO signature uses. */
    public static final String LABEL = "alto";
    /** The {@code tag} parameter that marks a signature as an ALTO redistribution signature. */
    public static final String TAG = "alto-redist";
    /** Header field names, lower case. */
    public static final String SIGNATURE_INPUT = "signature-input";
    public static final String SIGNATURE = "signature";
    public static final String CONTENT_TYPE = "content-type";
    public static final String CONTENT_DIGEST = "content-digest";
    public static final String ETAG = "etag";
    /** The components an ALTO signature covers, in the order the origin signs them. */
    public static final List<String> COVERED = List.of(CONTENT_TYPE, CONTENT_DIGEST, ETAG, AltoResource.HEADER);

    public SignatureHeaders {
        requireNonNull(signatureInput, "signatureInput");
        requireNonNull(signature, "signature");
    }
}
