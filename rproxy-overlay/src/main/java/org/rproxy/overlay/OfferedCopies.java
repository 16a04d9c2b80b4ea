package org.rproxy.overlay;

import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * What an {@link OverlayPublisher} makes of a copy it is offered: whether the overlay names it
 * (a resource id, the JSON dialect, no content coding), whether it is the version published
 * already, and the copy as its verified signature says it. Stateless.
 */
final class OfferedCopies {
    /** The publisher's logger: what it refuses is said where it says what it publishes. */
    private static final Logger log = LoggerFactory.getLogger(OverlayPublisher.class);

    private OfferedCopies() {
    }

    /**
     * The resource id the overlay names {@code r} by, or null when it is left out: no
     * {@code Alto-Resource}, a content-coded identity, the XML dialect ({@link OverlayPublisher#altoJson}),
     * the answer to a query (an input digest), or an id too long for a BEP 44 salt.
     */
    static String resourceId(Representation r) {
        Variant identity = r.identity();
        if (identity.contentEncoding() != null || !OverlayPublisher.altoJson(identity.header("content-type").orElse(""))) {
            return null;
        }
        String header = identity.header(AltoResource.HEADER).orElse(null);
        if (header == null) {
            return null;
        }
        AltoResource resource = AltoResource.parse(header);
        return resource.inputDigest() != null || Pointer.salt(resource.id()).length > Pointer.MAX_SALT
                ? null : resource.id();
    }

    /**
     * True when verifying {@code r} would publish nothing, so it is not verified: the overlay does
     * not name it ({@link #resourceId}), or its signature names the version published now
     * ({@code created}, read from its {@code Signature-Input} without verifying: a copy
     * revalidated and held again). Whatever it names otherwise is verified before it moves anything.
     */
    static boolean publishesNothing(Representation r, Function<String, Pointer> current) {
        String id = resourceId(r);
        SignatureWindow window = id == null ? null : SignatureWindow.read(n -> r.identity().header(n).orElse(null));
        Pointer held = window == null ? null : current.apply(id);
        return id == null || held != null && held.seq() == window.created().getEpochSecond();
    }

    /**
     * {@code r} as {@code verifier} verified its identity variant for a GET of {@code target}: with
     * the {@code created} and {@code expires} of that signature, whatever {@code r} says, and no
     * gzip variant (a bundle is the identity's); null, said in a warning (or at debug when it
     * merely expired meanwhile), when it does not verify.
     */
    static Representation verified(ResponseVerifier verifier, String target, Representation r) {
        VerifiedRepresentation.Check check = VerifiedRepresentation.verify(verifier, target, r.identity(), () -> null,
                r.maxAgeSeconds(), null);
        if (check instanceof VerifiedRepresentation.Verified v) {
            return v.copy().representation();
        }
        VerifiedRepresentation.Refused refused = (VerifiedRepresentation.Refused) check;
        if (refused.outcome() == Outcome.EXPIRED) {
            log.debug("overlay: not publishing {}: {}", target, refused.reason());
        } else {
            log.warn("overlay: not publishing {}: it does not verify ({}: {})", target, refused.outcome(),
                    refused.reason());
        }
        return null;
    }
}
