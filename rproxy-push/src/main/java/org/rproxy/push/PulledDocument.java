package org.rproxy.push;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.SharedFreshness;
import org.rproxy.core.store.Variant;
import org.rproxy.core.stream.SignatureEvent;

/**
 * A document fetched with a plain GET (the directory the feed starts from), verified like any
 * other and turned into a representation with the signed fields the response carried.
 * Stateless.
 */
final class PulledDocument {

    private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");

    private PulledDocument() {
    }

    /** @throws IllegalStateException naming the verifier's reason when the response does not verify */
    static VerifiedRepresentation verify(String target, HttpResponse<byte[]> resp, ResponseVerifier verifier) {
        // Asked without Accept-Encoding, so checked as identity whatever coding the response names
        // (the field is not signed, nor kept): the gzip variant relabelled is not taken as the document.
        List<HeaderField> fields = new ArrayList<>();
        for (String name : SignatureEvent.FIELDS) {
            if (name.equals("content-encoding")) {
                continue;
            }
            String value = field(resp, name);
            if (value != null) {
                fields.add(new HeaderField(name, value));
            }
        }
        String cacheControl = field(resp, "cache-control");
        Matcher m = MAX_AGE.matcher(cacheControl == null ? "" : cacheControl);
        long maxAge = m.find() ? Long.parseLong(m.group(1)) : 0;
        // a revalidation directive goes on with the copy, as the pull feed's and the stream's do
        VerifiedRepresentation.Check c = VerifiedRepresentation.verify(verifier, target,
                new Variant(Bytes.wrap(resp.body()), null, fields), () -> null, maxAge, null,
                SharedFreshness.revalidation(cacheControl));
        if (c instanceof VerifiedRepresentation.Refused no) {
            throw new IllegalStateException(target + " does not verify: " + no.outcome() + " " + no.reason());
        }
        return ((VerifiedRepresentation.Verified) c).copy();
    }

    /**
     * The values of field {@code name} joined with {@code ", "} (RFC 9110 §5.3), or null: how the
     * verifier reads a field, so a signature on a line of its own (another label's beside the
     * origin's) is found as it is by the pull feed and the client.
     */
    private static String field(HttpResponse<?> resp, String name) {
        List<String> values = resp.headers().allValues(name);
        return values.isEmpty() ? null : String.join(", ", values);
    }
}
