package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.rproxy.core.testing.Eventually;
import org.junit.jupiter.api.Test;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.core.upstream.UpstreamException;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * Two in-memory upstreams behind a {@link FailoverUpstream}: requests go to the first while it is
 * up, to the second when the first fails, and back to the first once its directory verifies in
 * a health check; a busy pool or a 503 is no reason to leave an upstream, and a directory that
 * does not verify keeps it out of use.
 */
class FailoverUpstreamTest {
    private static final String MAP = "/networkmap/default-network-map";

    private final MutableClock clock = new MutableClock(PullFeedTest.T0);
    private final TestSigner signer = new TestSigner();
    private final TestSigner stranger = new TestSigner();
    private final FakeUpstream first = new FakeUpstream(clock);
    private final FakeUpstream second = new FakeUpstream(clock);
    private final FailoverUpstream failover = new FailoverUpstream(List.of(URI.create("http://one:1"),
            URI.create("http://two:2")), List.of(first, second), new ResponseVerifier(List.of(signer.publicKey()), clock),
            Runnable::run);

    FailoverUpstreamTest() {
        for (FakeUpstream u : List.of(first, second)) {
            u.docs.put(MAP, signer.sign(MAP, "{}", false, clock.instant(), Duration.ofHours(1), 60));
            u.docs.put("/directory", signer.sign("/directory", "{}", false, clock.instant(), Duration.ofHours(1), 60));
        }
    }

    private UpstreamResponse get() throws Exception {
        return failover.send(UpstreamRequest.get(MAP, List.of())).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aFailedUpstreamIsLeftForTheNextAndPreferredAgainOnceItsCheckPasses() throws Exception {
        assertEquals(200, get().status());
        assertEquals(1, first.count(MAP, null));

        first.down = true;
        assertEquals(200, get().status(), "the same request, answered by the second");
        assertEquals(1, second.count(MAP, null));
        assertEquals(URI.create("http://two:2"), failover.current());
        get();
        assertEquals(2, first.count(MAP, null), "a down upstream is not asked again before its check");

        failover.check();
        assertEquals(URI.create("http://two:2"), failover.current(), "still down");
        first.down = false;
        failover.check();
        Eventually.await("the failover", Duration.ofSeconds(10),
                () -> failover.current().equals(URI.create("http://one:1")));
        get();
        assertEquals(3, first.count(MAP, null));
    }

    @Test
    void a502IsAskedOfTheNextButABusyPoolOrA503LeavesTheUpstreamInUse() throws Exception {
        first.failStatus = 502;
        assertEquals(200, get().status());
        assertEquals(URI.create("http://one:1"), failover.current(), "a 502 marks nothing down");
        first.failStatus = 503;
        assertEquals(503, get().status(), "overload is the upstream's answer to pass on");
        first.failStatus = 0;
        first.down = true;
        first.downAs = UpstreamException.Kind.BUSY;
        assertEquals(200, get().status());
        assertEquals(URI.create("http://one:1"), failover.current());
    }

    @Test
    void aHealthCheckCutByTheProxysStopOrABusyPoolMarksNothingDown() {
        first.down = true;
        first.downAs = UpstreamException.Kind.STOPPED; // the client closed: the proxy is stopping
        failover.check();
        assertEquals(URI.create("http://one:1"), failover.current(), "no upstream failed");
        first.downAs = UpstreamException.Kind.BUSY;
        failover.check();
        assertEquals(URI.create("http://one:1"), failover.current(), "busy answering others, as for a request");
    }

    @Test
    void anUpstreamWhoseDirectoryDoesNotVerifyIsNotUsedAndAllDownMeansAllTried() throws Exception {
        first.docs.put("/directory", stranger.sign("/directory", "{}", false, clock.instant(), Duration.ofHours(1), 60));
        failover.check();
        assertEquals(URI.create("http://two:2"), failover.current());
        second.down = true;
        first.down = false;
        assertEquals(200, get().status(), "the second failed: the first is tried after it");
        assertEquals(URI.create("http://one:1"), failover.current(), "with every upstream down, the first comes first");
        first.down = true;
        ExecutionException e = assertThrows(ExecutionException.class, this::get);
        assertTrue(e.getCause() instanceof UpstreamException, e.toString());
    }
}
