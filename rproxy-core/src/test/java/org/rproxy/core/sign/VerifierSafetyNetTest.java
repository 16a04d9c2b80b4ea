package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.testing.MutableClock;
import org.slf4j.LoggerFactory;

/**
 * An exception inside the verifier (a bug of its own or of the caller's header function) refuses
 * the response as {@link Outcome#MALFORMED}, as bad bytes would be, but is not mistaken for them:
 * it is logged at ERROR with its stack trace, once per interval.
 */
class VerifierSafetyNetTest {
    private final Logger log = (Logger) LoggerFactory.getLogger(ResponseVerifier.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_700_000_000L));
    /** The bug log's time (nanoseconds, as System.nanoTime), apart from the clock expiry is judged by. */
    private final AtomicLong nanos = new AtomicLong();
    private final ResponseVerifier verifier = new ResponseVerifier(
            new TrustedKeys(List.of(SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE).publicKey())), clock,
            nanos::get);
    private final IllegalStateException bug = new IllegalStateException("a bug, not the source's bytes");
    private final Function<String, String> throwing = name -> {
        throw bug;
    };

    @BeforeEach
    void captureLog() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void release() {
        log.detachAppender(logged);
    }

    @Test
    void anExceptionIsRefusedAsMalformedAndLoggedAtErrorWithItsStack() {
        Verdict verdict = verifier.verify(throwing, new byte[0], Expectation.NONE);
        assertEquals(Outcome.MALFORMED, verdict.outcome());
        assertTrue(verdict.reason().startsWith(ResponseVerifier.UNEXPECTED), verdict.reason());
        assertEquals(1, logged.list.size(), "logged: " + logged.list);
        ILoggingEvent line = logged.list.get(0);
        assertEquals(Level.ERROR, line.getLevel());
        assertNotNull(line.getThrowableProxy(), "the stack trace is logged");
        assertSame(bug, ((ThrowableProxy) line.getThrowableProxy()).getThrowable());

        assertEquals(Outcome.MALFORMED, verifier.verifyFields(throwing, Expectation.NONE).outcome());
        assertEquals(2, logged.list.size(), "verifyFields logs its own: " + logged.list);
    }

    @Test
    void aRepeatedExceptionIsLoggedOncePerIntervalWithTheCountHeldBack() {
        for (int i = 0; i < 5; i++) {
            assertEquals(Outcome.MALFORMED, verifier.verify(throwing, new byte[0], Expectation.NONE).outcome());
        }
        assertEquals(1, logged.list.size(), "logged: " + logged.list);
        nanos.addAndGet(ResponseVerifier.BUG_LOG_INTERVAL.toNanos());
        verifier.verify(throwing, new byte[0], Expectation.NONE);
        assertEquals(2, logged.list.size(), "logged: " + logged.list);
        assertTrue(logged.list.get(1).getFormattedMessage().contains("4 more like this not logged"),
                logged.list.get(1).getFormattedMessage());
    }
}
