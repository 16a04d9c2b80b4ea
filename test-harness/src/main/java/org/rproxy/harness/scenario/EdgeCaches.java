package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.topology.TopologySpec;

/**
 * Ordinary HTTP caches at the edge: nginx and Varnish, configured as shipped ({@code conf/nginx},
 * {@code conf/varnish}), in front of one pull proxy, while the origin signs for 20 s and so
 * re-signs every 10 s. Viewers arrive steadily through both caches for three re-signing periods;
 * every signed document they get must verify (a cache serving an old signature, or bytes it
 * re-encoded, would show as verification failures), and each cache must answer most of the
 * document requests itself, counted by a relay between it and the proxy ({@link CacheHits}).
 */
final class EdgeCaches implements Scenario {
    static final long DEFAULT_VIEWERS = 3_000;
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
    static final Duration VALIDITY = Duration.ofSeconds(20);

    @Override
    public String name() {
        return "edge-caches";
    }

    @Override
    public String summary() {
        return "nginx and Varnish (conf/) in front of a pull proxy while the origin re-signs every 10 s: every answer verifies, each cache answers most";
    }

    @Override
    public Set<ScenarioOption> options() {
        return ScenarioOption.CROWD;
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        if (!ctx.lab.pullAvailable()) {
            return List.of(Check.notRun("caches in front of a pull proxy", "no pull proxy in this build"));
        }
        Optional<Path> nginx = CacheProcess.executable("nginx");
        Optional<Path> varnishd = CacheProcess.executable("varnishd");
        if (nginx.isEmpty() || varnishd.isEmpty()) {
            return List.of(Check.notRun("caches in front of a pull proxy", "nginx and varnishd are not both installed"));
        }
        Optional<Path> conf = CacheProcess.shippedConf(Path.of("")).or(EdgeCaches::confBesideTheJar);
        if (conf.isEmpty()) {
            return List.of(Check.notRun("caches in front of a pull proxy", "conf/nginx not found (run from a checkout)"));
        }
        long viewers = ctx.viewers(DEFAULT_VIEWERS);
        Duration window = ctx.window(DEFAULT_WINDOW);
        Path maps = ctx.lab.topology(TopologySpec.of(50, 4, ctx.options.seed()));
        CountingRelay relay = ctx.lab.startOrigin(maps, VALIDITY, ctx.maxAge(Duration.ofSeconds(4)));
        String proxy = ctx.lab.startProxy("edge-1", relay.baseUri()).baseUri().replace("http://", "");
        int colon = proxy.lastIndexOf(':');
        InetSocketAddress proxyAddress = new InetSocketAddress(proxy.substring(0, colon), Integer.parseInt(proxy.substring(colon + 1)));
        // One counting relay between each cache and the proxy: what reached the proxy from that cache.
        CountingRelay behindNginx = new CountingRelay(proxyAddress);
        ctx.lab.stopAtEnd(behindNginx);
        CountingRelay behindVarnish = new CountingRelay(proxyAddress);
        ctx.lab.stopAtEnd(behindVarnish);
        String nginxUpstream = behindNginx.baseUri().replace("http://", "");
        String varnishUpstream = behindVarnish.baseUri().replace("http://", "");
        int vColon = varnishUpstream.lastIndexOf(':');

        // Varnish's workers run as its own user: they must reach their work folder, so it is not
        // in the lab folder (which holds the origin's private key).
        Path work = Files.createTempDirectory("rproxy-edge-caches");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        ctx.lab.stopAtEnd(() -> deleteTree(work));
        CacheProcess n = CacheProcess.shippedNginx("nginx", nginx.get(), conf.get(), work.resolve("nginx"),
                CacheProcess.freePort(), nginxUpstream);
        ctx.lab.stopAtEnd(n);
        CacheProcess v = CacheProcess.shippedVarnish("varnish", varnishd.get(), conf.get(), work.resolve("varnish"),
                CacheProcess.freePort(), varnishUpstream.substring(0, vColon),
                Integer.parseInt(varnishUpstream.substring(vColon + 1)));
        ctx.lab.stopAtEnd(v);
        ctx.out.printf("edge-caches: nginx on %s and Varnish on %s in front of the proxy at %s%n", n.base(), v.base(), proxy);

        ScenarioContext.Crowd crowd = ctx.crowd(List.of(n.base(), v.base()), maps, viewers,
                ArrivalSchedule.steady(viewers / (window.toMillis() / 1000.0)));
        RunReport r = ctx.run("edge-caches", crowd, relay);
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("verification failures (old signatures, re-encoded bytes)", "0",
                fmt(r.verification().failures()), r.verification().failures() == 0));
        checks.add(Check.of("viewers joined", fmt(viewers), fmt(r.viewers().joined()), r.viewers().joined() == viewers));
        checks.add(Check.of("errors", "0", fmt(r.errorCount()), r.errorCount() == 0));
        checks.add(hits("nginx", n, behindNginx, r));
        checks.add(hits("Varnish", v, behindVarnish, r));
        checks.add(Check.info("requests reaching the proxy (nginx, Varnish; queries included)",
                fmt(behindNginx.total()) + ", " + fmt(behindVarnish.total())));
        // the relay has counted since the origin started: the proxy's start is in it, and the run's share is said
        checks.add(Check.info("origin requests (through the relay)", fmt(relay.total()) + " since the origin started, "
                + (r.origin() != null && r.origin().known() ? fmt(r.origin().requests()) : "unknown") + " of them during the run"));
        checks.add(Check.info("failures by outcome", r.verification().failuresByOutcome().toString()));
        return checks;
    }

    /** The hit-ratio line of one cache: the viewers' document requests through it against what reached the proxy. */
    private static Check hits(String name, CacheProcess cache, CountingRelay behind, RunReport r) {
        long asked = CacheHits.documentRequests(r.requestsByTarget().getOrDefault(cache.base(), Map.of()));
        return CacheHits.check(name, new CacheHits.Counts(asked, CacheHits.documentRequestsBehind(behind.byPath())));
    }

    /** The checkout above the harness jar (bin/harness runs it from test-harness/target). */
    private static Optional<Path> confBesideTheJar() {
        try {
            return CacheProcess.shippedConf(Path.of(EdgeCaches.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
