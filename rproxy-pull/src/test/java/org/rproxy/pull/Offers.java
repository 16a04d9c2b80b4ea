package org.rproxy.pull;

import java.time.Clock;
import java.util.List;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.TestSigner;

/** Copies offered to a feed in tests: verified first, as {@link PullProxy}'s offers are, on the test signer's key. */
final class Offers {
    private Offers() {
    }

    /** {@code r} verified for a GET of {@code target} by {@code clock}; fails the test when it does not verify. */
    static VerifiedRepresentation of(TestSigner signer, Clock clock, String target, Representation r) {
        VerifiedRepresentation.Check c = VerifiedRepresentation.verify(
                new ResponseVerifier(List.of(signer.publicKey()), clock), target, r);
        if (c instanceof VerifiedRepresentation.Refused no) {
            throw new AssertionError("the copy offered does not verify: " + no);
        }
        return ((VerifiedRepresentation.Verified) c).copy();
    }
}
