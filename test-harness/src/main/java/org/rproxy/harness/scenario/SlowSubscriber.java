package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.rproxy.harness.churn.Churner;
import org.rproxy.harness.topology.TopologySpec;

/**
 * Subscribers that stop reading: the maps change every second and two healthy push proxies
 * follow the origin — first for twenty rounds alone (the baseline), then for forty more while
 * three raw connections subscribe to the origin's update stream for every map and read nothing
 * (a tiny receive buffer, so the origin's writes back up at once). The healthy proxies must not
 * be delayed (p99 within 1.5 times the baseline's plus half a second) and the stuck subscribers
 * must be disconnected (the origin promises to drop one that stays full for 30 s).
 */
final class SlowSubscriber implements Scenario {
    static final int ROUNDS = 40;
    static final int SLOW = 3;
    static final int BASELINE_ROUNDS = 20;

    @Override
    public String name() {
        return "slow-subscriber";
    }

    @Override
    public String summary() {
        return "three update-stream subscribers stop reading while maps change every second; healthy push proxies must not wait longer than without them";
    }

    @Override
    public Set<ScenarioOption> options() {
        return EnumSet.of(ScenarioOption.MAX_AGE, ScenarioOption.RPROXY_JAR);
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        if (!ctx.lab.pushAvailable()) {
            return List.of(Check.notRun("slow-subscriber", "no push mode in this build"));
        }
        Path maps = ctx.lab.topology(TopologySpec.of(300, 5, ctx.options.seed()));
        ProxyProcess origin = ctx.lab.startOriginProcess(maps, ctx.maxAge(Duration.ofSeconds(60)));
        List<String> healthy = List.of(ctx.lab.startPushProxy("push-1", origin.baseUri()).baseUri(),
                ctx.lab.startPushProxy("push-2", origin.baseUri()).baseUri());
        Churner churner = new Churner(maps, 0.05, 5, ctx.options.seed());
        Propagation baseline = new Propagation(origin.baseUri(), healthy, "/costmap/routingcost-map", Duration.ofSeconds(10));
        baseline.followChurn(churner, BASELINE_ROUNDS);
        ctx.out.println("slow-subscriber: without stuck subscribers: " + baseline.describe());
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < SLOW; i++) {
            Socket s = subscribe(URI.create(origin.baseUri()));
            slow.add(s);
            ctx.lab.stopAtEnd(s);
        }
        long rssBefore = origin.residentKib();
        Propagation watch = new Propagation(origin.baseUri(), healthy, "/costmap/routingcost-map", Duration.ofSeconds(10));
        watch.followChurn(churner, ROUNDS);
        long rssAfter = origin.residentKib();
        int dropped = 0;
        for (Socket s : slow) {
            dropped += closedByServer(s) ? 1 : 0;
        }
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("changes that reached the healthy proxies", ROUNDS + " of " + ROUNDS,
                watch.reached() + " (missed " + watch.missed() + ")", watch.missed() == 0));
        double bound = baseline.p99Millis() * 1.5 + 500;
        checks.add(Check.of("change to the healthy proxies, p99, stuck subscribers attached",
                String.format(Locale.ROOT, "<= 1.5 x %.0f + 500 ms", baseline.p99Millis()),
                String.format(Locale.ROOT, "%.0f ms", watch.p99Millis()), watch.p99Millis() <= bound));
        checks.add(Check.info("propagation without stuck subscribers", baseline.describe()));
        checks.add(Check.info("propagation with stuck subscribers", watch.describe()));
        checks.add(Check.of("stuck subscribers disconnected by the origin (after 30 s full)", SLOW + " of " + SLOW,
                dropped + " of " + SLOW, dropped == SLOW));
        // resident memory mostly follows the JVM's heap sizing, so it is reported, not judged
        checks.add(Check.info("origin resident memory while they were attached",
                rssBefore < 0 ? "unknown" : fmt(rssBefore / 1024) + " MB -> " + fmt(rssAfter / 1024) + " MB"));
        return checks;
    }

    /** Opens the update stream for every map and reads only the status line, then nothing. */
    private static Socket subscribe(URI base) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
        String body = "{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"},\"hc\":{\"resource-id\":\"hopcount-map\"},"
                + "\"net\":{\"resource-id\":\"default-network-map\"},\"pids\":{\"resource-id\":\"default-network-map\",\"path\":\"/prop/pid\"}}}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST /updates HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nContent-Type: application/alto-updatestreamparams+json\r\nAccept: text/event-stream\r\nContent-Length: "
                + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        s.setSoTimeout(5_000);
        byte[] head = new byte[12];
        int n = s.getInputStream().read(head);
        String status = n > 0 ? new String(head, 0, n, StandardCharsets.US_ASCII) : "";
        if (!status.startsWith("HTTP/1.1 200")) {
            s.close();
            throw new IOException("the update stream refused a subscription: " + status);
        }
        return s;
    }

    /** Drains what the socket holds; true when the server closed it (end of stream or reset). */
    private static boolean closedByServer(Socket s) {
        try {
            s.setSoTimeout(2_000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1 << 16];
            long limit = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < limit) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
