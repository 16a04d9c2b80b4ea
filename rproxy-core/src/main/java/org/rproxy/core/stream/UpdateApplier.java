package org.rproxy.core.stream;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Gzip;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.RollbackRule;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * Turns one update received on a stream into a verified representation, or a rejection that
 * leaves the held version in place. Cheap checks come first, so that an upstream repeating or
 * replaying signature events costs what it sends, not a rebuild of the held document each time:
 * <ol>
 *   <li>identity fields that are the same signing as the version held ({@link
 *       SignatureEvent#sameSigning}) repeat it: nothing is rebuilt, verified or stored, whatever
 *       data came before ({@link Result.Repeated});</li>
 *   <li>the signed fields are verified (signature, key, the path asked for, expiry, nothing older
 *       than what is held while what is held is valid: {@link RollbackRule}, by the verifier's
 *       clock) before the body is rebuilt: what fails there is never rebuilt
 *       ({@link VerifiedRepresentation#verifyFields});</li>
 *   <li>the bytes are rebuilt (the full body as received, the held JSON with the merge patch
 *       applied and put in RFC 8785 form, or the held bytes for a renewal) and checked against the
 *       digest of those fields, whose signature is not checked again
 *       ({@link VerifiedRepresentation.SignedFields#withBody}, which makes the verified copy handed
 *       on, so that whoever takes it from the feed need not verify it again): one signature check
 *       per variant per update, with the outcomes and reasons of a full verification.
 *       A renewal whose signed {@code content-digest} is the held one's takes the held bytes as
 *       they are (a patch sent with it is parsed, not applied: those bytes are the only ones that
 *       digest can match), and is still hashed against it.</li>
 * </ol>
 * The gzip variant is rebuilt, once the identity verified, with the same deterministic gzip as the
 * origin's, or, for the bytes held, its held bytes are taken again; when its digest does not
 * match (another zlib), it is left out and gzip clients get the identity variant until pull
 * fetches theirs. So is a gzip variant whose own signature runs out before the identity's (an
 * upstream pairing a fresh identity signature with an older signing of the gzip bytes): the
 * representation is served until the identity's {@code expires}, and its gzip variant would be
 * served past its own, as the pull feed's copies never are. Stateless apart from the verifier;
 * runs on the feed's thread.
 */
public final class UpdateApplier {
    private static final String CONTENT_DIGEST = "content-digest";

    /** Data that came before a signature event: a full body or a merge patch. */
    public record Data(boolean patch, Bytes bytes) {
        public Data {
            requireNonNull(bytes, "bytes");
        }
    }

    /** The outcome: a representation to store, a repeat of the one held, or why not. */
    public sealed interface Result {
        /** A verified copy to hold; {@code newBytes} false for a renewal of the bytes held. */
        record Applied(VerifiedRepresentation copy, boolean newBytes) implements Result {
            public Applied {
                requireNonNull(copy, "copy");
            }

            /** The representation verified. */
            public Representation representation() {
                return copy.representation();
            }
        }

        /** The signature event of the version held, again: nothing to do. */
        record Repeated() implements Result {
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
        if (held != null && SignatureEvent.sameSigning(held.identity().headers(), sig.identity())) {
            return new Result.Repeated();
        }
        // Older than the version held is a rollback only while that version is valid (RollbackRule).
        Instant notBefore = held == null ? null
                : RollbackRule.floor(held.created(), held.expires(), verifier.clock().instant());
        // The identity variant is checked as identity whatever coding its fields name: the field is
        // not signed, so gzip bytes relabelled would verify as the gzip variant and then be held,
        // served and patched as the document itself. Its signature is checked here, once: the body
        // rebuilt is then checked against the digest these fields carry (SignedFields.withBody).
        VerifiedRepresentation.FieldsCheck first = VerifiedRepresentation.verifyFields(verifier, target,
                sig.identity(), notBefore);
        if (first instanceof VerifiedRepresentation.Refused no) {
            return new Result.Rejected(no.outcome() + ": " + no.reason());
        }
        Bytes heldBody = held == null ? null : held.identity().body();
        boolean heldDigest = held != null && held.identity().header(CONTENT_DIGEST)
                .map(d -> d.equals(SignatureEvent.get(sig.identity(), CONTENT_DIGEST))).orElse(false);
        Bytes body;
        try {
            body = rebuild(heldBody, data, heldDigest);
        } catch (RuntimeException e) {
            return new Result.Rejected("cannot rebuild the body: " + e.getMessage());
        }
        if (body == null) {
            return new Result.Rejected("a renewal or patch for a document not held");
        }
        boolean newBytes = heldBody == null || !heldBody.equals(body);
        Bytes heldGzip = newBytes || held.gzip() == null ? null : held.gzip().body();
        Supplier<Variant> gzip = () -> sig.gzip() == null ? null
                : new Variant(heldGzip != null ? heldGzip : Gzip.deterministic(body), "gzip", sig.gzip());
        VerifiedRepresentation.Check c = ((VerifiedRepresentation.SignedFields) first).withBody(body, gzip,
                sig.maxAgeSeconds(), sig.revalidation());
        if (c instanceof VerifiedRepresentation.Refused no) {
            return new Result.Rejected(no.outcome() + ": " + no.reason());
        }
        return new Result.Applied(((VerifiedRepresentation.Verified) c).copy(), newBytes);
    }

    /** The bytes an update describes, or null when it needs a held body and there is none. */
    public static Bytes rebuild(Bytes held, Data data) {
        return rebuild(held, data, false);
    }

    /**
     * The bytes an update describes, or null when it needs a held body and there is none.
     *
     * @param heldDigest true when the update's signed {@code content-digest} is the one the held
     *                   bytes were verified with: a merge patch is then parsed (one that is not
     *                   JSON is refused) but not applied, and the held bytes are returned, the
     *                   only ones that digest can match
     */
    public static Bytes rebuild(Bytes held, Data data, boolean heldDigest) {
        if (data == null) {
            return held;
        }
        if (!data.patch()) {
            return data.bytes();
        }
        if (held == null) {
            return null;
        }
        JsonNode patch = Jcs.parse(data.bytes().unsafeArray());
        if (heldDigest) {
            return held;
        }
        JsonNode base = Jcs.parse(held.unsafeArray());
        return Bytes.wrap(Jcs.canonicalize(MergePatch.apply(base, patch)));
    }
}
