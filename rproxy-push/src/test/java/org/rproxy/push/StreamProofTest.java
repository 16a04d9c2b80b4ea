package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.rproxy.core.concurrent.Backoff;

/**
 * The push feed's backoff starts afresh once per stream that proves itself, and not on the proof
 * of a stream that follows one lost for the upstream's fault ({@link StreamProof}). The backoff's
 * failures count the waits in a row; no jitter's draw matters here.
 */
class StreamProofTest {
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5);
    private final StreamProof proof = new StreamProof(backoff);

    @Test
    void aStreamThatProvesItselfStartsTheBackoffAfresh() {
        proof.lost(false);
        proof.lost(false);
        assertEquals(2, backoff.failures());
        proof.proved();
        assertEquals(0, backoff.failures());
    }

    @Test
    void lossesWithoutProofDoubleTheWait() {
        long first = proof.lost(false);
        long second = proof.lost(false);
        assertEquals(2 * first, second);
    }

    @Test
    void aProofAfterAFaultedLossKeepsTheBackoffAndTheNextProofResetsIt() {
        proof.lost(false);
        proof.lost(true);
        proof.proved();
        assertEquals(2, backoff.failures(), "the stream after a faulted loss proved itself: kept");
        proof.lost(false);
        proof.proved();
        assertEquals(0, backoff.failures(), "a loss not the upstream's fault, then proof: afresh");
    }

    @Test
    void aStreamProvesItselfOnceSoItsLaterSignsDoNotResetABackoffKept() {
        proof.lost(false);
        proof.lost(true);
        proof.proved();
        proof.proved(); // a heartbeat after the verified update: the same stream
        assertEquals(2, backoff.failures());
        proof.lost(false);
        proof.replaced(); // a stream adopted in its place proves itself afresh
        proof.proved();
        assertEquals(0, backoff.failures());
    }
}
