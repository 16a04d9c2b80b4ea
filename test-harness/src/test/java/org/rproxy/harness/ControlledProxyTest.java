package org.rproxy.harness;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.pull.PullProxy;

/**
 * The lab of the pull-mode tests that play a hostile or slow upstream: a {@link ControlledUpstream}
 * serving what the test signs, a pull proxy in front of it on a clock the test moves, and both
 * verifiers (the product's and the independent one) trusting the test's key. Started before and
 * stopped after each test.
 */
abstract class ControlledProxyTest {
    @TempDir
    Path dir;
    final MutableClock clock = MutableClock.now();
    final TestSigner signer = new TestSigner();
    ControlledUpstream upstream;
    PullProxy proxy;
    ResponseVerifier verifier;
    IndependentVerifier independent;

    @BeforeEach
    void startUpstreamAndProxy() throws Exception {
        Path pub = signer.writePublic(dir.resolve("origin.pub"));
        upstream = new ControlledUpstream();
        proxy = Proxies.start("edge", upstream.baseUri(), pub, clock);
        verifier = new ResponseVerifier(List.of(signer.key.publicKey()), clock);
        independent = new IndependentVerifier(pub);
    }

    @AfterEach
    void stopUpstreamAndProxy() {
        proxy.close();
        upstream.close();
    }
}
