package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class AnswerDelaysTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AnswerDelays delays = new AnswerDelays(now::get);

    @Test
    void noAnswerCameLateUntilOneDid() {
        assertFalse(delays.lately(), "no late answer yet: a silent node never heard from is taken for gone");
        delays.late();
        assertTrue(delays.lately(), "an answer came after its request stalled: answers come late here");
    }

    @Test
    void aLateAnswerCountsForAMinute() {
        delays.late();
        now.addAndGet(AnswerDelays.LATELY.toNanos() - 1);
        assertTrue(delays.lately(), "within a minute of the late answer");
        now.addAndGet(1);
        assertFalse(delays.lately(), "a minute after it, with none since");
        delays.late();
        assertTrue(delays.lately(), "another late answer");
    }

    private static final InetSocketAddress GONE = new InetSocketAddress("100.64.0.11", 6881);

    @Test
    void aNodeALookupGaveUpIsLeftOutForAMinute() {
        assertFalse(delays.skips(GONE), "not given up yet");
        delays.silent(GONE);
        assertTrue(delays.skips(GONE), "given up: left out");
        assertFalse(delays.skips(new InetSocketAddress("100.64.0.11", 6882)), "another port is another node");
        now.addAndGet(AnswerDelays.LATELY.toNanos() - 1);
        assertTrue(delays.skips(GONE), "within a minute");
        now.addAndGet(1);
        assertFalse(delays.skips(GONE), "a minute after: asked again");
    }

    @Test
    void aNodeGivenUpIsAskedAgainOnceItAnsweredOrAnswersComeLate() {
        delays.silent(GONE);
        delays.answered(GONE);
        assertFalse(delays.skips(GONE), "it answered a lookup since");
        delays.silent(GONE);
        delays.late();
        assertFalse(delays.skips(GONE), "answers come late here: a stall says nothing of a node");
    }
}
