package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/** What a checked directory teaches: only the newest held, whatever order the answers come back in. */
class CheckerTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final URI SOURCE = URI.create("http://127.0.0.1:1/directory");

    private final TestSigner origin = new TestSigner();
    private final VerificationKey retired = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey();
    private final VerificationKey next = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey();
    private final MutableClock clock = new MutableClock(T0.plusSeconds(120));
    private final TrustedKeys trusted = new TrustedKeys(Set.of(origin.publicKey()));
    private final Checker checker = new Checker(new ResponseVerifier(trusted, clock), RollbackGuard.inMemory(), trusted);

    private Representation directory(VerificationKey listed, Instant created) {
        Jwk k = listed.jwk();
        String body = "{\"meta\":{\"alto-redist\":{\"keys\":[{\"alg\":\"" + k.alg() + "\",\"crv\":\"" + k.crv()
                + "\",\"kid\":\"" + k.kid() + "\",\"kty\":\"" + k.kty() + "\",\"x\":\"" + k.x() + "\"}]}},\"resources\":{}}";
        return origin.sign("/directory", body, false, created, Duration.ofHours(1), 60);
    }

    private void check(Representation r, Instant floor) {
        checker.check(SOURCE, "/directory", name -> r.identity().header(name).orElse(null), r.identity().body(), 60,
                floor);
    }

    @Test
    void anOlderDirectoryAnsweredLateDoesNotBringBackTheKeyANewerOneRetired() {
        Representation older = directory(retired, T0);
        Representation newer = directory(next, T0.plusSeconds(60));
        check(newer, null);
        assertEquals(Set.of(origin.publicKey().keyId(), next.keyId()), trusted.keyIds());
        // asked before the newer one was taken (the floor read then), answered after it: valid, not a rollback
        check(older, null);
        assertEquals(Set.of(origin.publicKey().keyId(), next.keyId()), trusted.keyIds(), "still the newer one's keys");
        check(directory(retired, T0.plusSeconds(90)), null);
        assertEquals(Set.of(origin.publicKey().keyId(), retired.keyId()), trusted.keyIds(), "a newer one teaches");
    }
}
