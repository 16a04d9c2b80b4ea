package org.rproxy.core.stream;

import static java.util.Objects.requireNonNull;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Gzip;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * Turns one update received on a stream into a verified representation, or a rejection that
 * leaves the held version in place. The bytes are rebuilt first (the full body as received, the
 * held JSON with the merge patch applied and put in RFC 8785 form, or the held bytes for a
 * renewal), then checked against the signature event exactly as a pull response is checked: same
 * verifier, same expectations (the path asked for; nothing older than what is held). The gzip
 * variant is rebuilt with the same deterministic gzip as the origin's; when its digest does not
 * match (another zlib), it is left out and gzip clients get the identity variant until pull
 * fetches theirs. So is a gzip variant whose own signature runs out before the identity's (an
 * upstream pairing a fresh identity signature with an older signing of the gzip bytes): the
 * representation is served until the identity's {@code expires}, and its gzip variant would be
 * served past its own, as the pull feed's copies never are. Stateless apart from the verifier;
 * runs on the feed's thread.
 */
public final class UpdateApplier {
    private static final String CONTENT_ENCODING = "content-encoding";

    /** Data that came before a signature event: a full body or a merge patch. */
    public record Data(boolean patch, Bytes bytes) {
        public Data {
            requireNonNull(bytes, "bytes");
        }
    }

    /** The outcome: a representation to store, or why not. */
    public sealed interface Result {
        record Applied(Representation representation, boolean newBytes) implements Result {
        }

        record Rejected(String reason) implements Result {
        }
    }

    private final ResponseVerifier verifier;

    public UpdateApplier(ResponseVerifier verifier) {
        this.verifier = requireNonNull(verifier, "verifier");
    }

    /**
     * @param held the representation held for {@code target}, or null
     * @param data the data event before {@code sig}, or null for a renewal
     */
    public Result apply(String target, Representation held, Data data, SignatureEvent sig) {
        Bytes body;
        try {
            body = rebuild(held == null ? null : held.identity().body(), data);
        } catch (RuntimeException e) {
            return new Result.Rejected("cannot rebuild the body: " + e.getMessage());
        }
        if (body == null) {
            return new Result.Rejected("a renewal or patch for a document not held");
        }
        Expectation expect = new Expectation(target, held == null ? null : held.created());
        // The identity variant is checked as identity whatever coding its fields name: the field is
        // not signed, so gzip bytes relabelled would verify as the gzip variant and then be held,
        // served and patched as the document itself.
        Verdict v = verifier.verify(name -> name.equals(CONTENT_ENCODING) ? null : SignatureEvent.get(sig.identity(), name),
                body.unsafeArray(), expect);
        if (!v.valid()) {
            return new Result.Rejected(v.outcome() + ": " + v.reason());
        }
        Variant identity = new Variant(body, null, without(sig.identity(), CONTENT_ENCODING));
        Variant gzip = sig.gzip() == null ? null : gzipVariant(target, body, sig.gzip(), expect, v);
        boolean newBytes = held == null || !held.identity().body().equals(body);
        return new Result.Applied(new Representation(identity, gzip, sig.maxAgeSeconds(), v.created(), v.expires()),
                newBytes);
    }

    /** The bytes an update describes, or null when it needs a held body and there is none. */
    public static Bytes rebuild(Bytes held, Data data) {
        if (data == null) {
            return held;
        }
        if (!data.patch()) {
            return data.bytes();
        }
        if (held == null) {
            return null;
        }
        JsonNode base = Jcs.parse(held.unsafeArray());
        JsonNode patch = Jcs.parse(data.bytes().unsafeArray());
        return Bytes.wrap(Jcs.canonicalize(MergePatch.apply(base, patch)));
    }

    /**
     * The gzip variant of {@code body} with {@code fields}, or null when they do not verify over
     * the rebuilt bytes or their signature runs out before {@code identity}'s does.
     */
    private Variant gzipVariant(String target, Bytes body, List<HeaderField> fields, Expectation expect,
                                Verdict identity) {
        Bytes gz = Gzip.deterministic(body);
        Verdict v = verifier.verify(name -> SignatureEvent.get(fields, name), gz.unsafeArray(), expect);
        return v.valid() && !v.expires().isBefore(identity.expires()) ? new Variant(gz, "gzip", fields) : null;
    }

    private static List<HeaderField> without(List<HeaderField> fields, String name) {
        return fields.stream().filter(f -> !f.name().equals(name)).toList();
    }
}
