package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
        return directory(listed, created, "");
    }

    /** A directory listing {@code listed}'s key, with {@code extra} members in its meta. */
    private Representation directory(VerificationKey listed, Instant created, String extra) {
        return directory(listed, created, extra, Duration.ofHours(1));
    }

    /** A directory listing {@code listed}'s key, with {@code extra} members in its meta, valid for {@code validity}. */
    private Representation directory(VerificationKey listed, Instant created, String extra, Duration validity) {
        Jwk k = listed.jwk();
        String body = "{\"meta\":{\"alto-redist\":{\"keys\":[{\"alg\":\"" + k.alg() + "\",\"crv\":\"" + k.crv()
                + "\",\"kid\":\"" + k.kid() + "\",\"kty\":\"" + k.kty() + "\",\"x\":\"" + k.x() + "\"}]}" + extra
                + "},\"resources\":{}}";
        return origin.sign("/directory", body, false, created, validity, 60);
    }

    private void check(Representation r, Instant floor) {
        check(checker, r, floor);
    }

    private static void check(Checker c, Representation r, Instant floor) {
        c.check(SOURCE, "/directory", name -> r.identity().header(name).orElse(null), r.identity().body(), 60, floor);
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

    /**
     * The key set lets an older directory teach once the one it learnt from has expired (an origin
     * whose clock was stepped back), but the client's rollback guard, which does not lapse, refuses
     * that directory before: at a client the two rules agree that it is a rollback, and the keys stay.
     */
    @Test
    void aDirectoryOlderThanTheHeldOneIsRefusedAtTheClientEvenOnceTheHeldOneHasExpired() {
        Representation newer = directory(next, T0.plusSeconds(60));
        checkAgainstHeld(newer);
        clock.advance(Duration.ofHours(2)); // the newer one expired an hour ago
        Representation stepped = directory(retired, T0.plusSeconds(30), "", Duration.ofHours(3));
        ClientException.Rollback e = assertThrows(ClientException.Rollback.class, () -> checkAgainstHeld(stepped));
        assertTrue(e.getMessage().contains(T0.plusSeconds(60).toString()), e.getMessage());
        assertEquals(Set.of(origin.publicKey().keyId(), next.keyId()), trusted.keyIds(), "the held directory's keys");
    }

    /** Checks {@code r} as the bootstrap does, against the newest directory held. */
    private void checkAgainstHeld(Representation r) {
        checker.check(SOURCE, "/directory", name -> r.identity().header(name).orElse(null), r.identity().body(), 60);
    }

    /**
     * The follower thread checks the newer directory while an app thread checks an older one,
     * asked for earlier (a large one: reading its keys takes a while). The newer check starts as
     * soon as the older one is verified (the checker then reads its content coding): just before
     * the older one's "is it the newest held?" and its learning, the two steps the key set did not
     * order before; most rounds then ended with the older directory's keys. Whichever finishes
     * last, the keys are the newer directory's.
     */
    @Test
    void twoDirectoriesCheckedAtOnceLeaveTheNewerOnesKeys() throws Exception {
        StringBuilder pad = new StringBuilder(",\"x-pad\":[0");
        for (int i = 1; i < 100_000; i++) {
            pad.append(',').append(i);
        }
        Representation older = directory(retired, T0, pad.append(']').toString());
        Representation newer = directory(next, T0.plusSeconds(60));
        int rounds = 20;
        List<String> wrong = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < rounds; i++) {
                TrustedKeys t = new TrustedKeys(Set.of(origin.publicKey()));
                Checker c = new Checker(new ResponseVerifier(t, clock), RollbackGuard.inMemory(), t);
                CountDownLatch verified = new CountDownLatch(1);
                Future<?> app = threads.submit(() -> {
                    try {
                        c.check(SOURCE, "/directory", name -> {
                            if (name.equals("content-encoding")) {
                                verified.countDown();
                            }
                            return older.identity().header(name).orElse(null);
                        }, older.identity().body(), 60, null);
                    } finally {
                        verified.countDown();
                    }
                    return null;
                });
                Future<?> follower = threads.submit(() -> {
                    verified.await();
                    check(c, newer, null);
                    return null;
                });
                app.get();
                follower.get();
                if (!t.keyIds().equals(Set.of(origin.publicKey().keyId(), next.keyId()))) {
                    wrong.add("round " + i + ": " + t.keyIds());
                }
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + rounds + " rounds ended without the newer directory's"
                + " keys (the retired key is " + retired.keyId() + ")");
    }
}
