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
import java.util.List;
import java.util.Locale;

import org.rproxy.harness.churn.Churner;
import org.rproxy.harness.topology.TopologySpec;

/**
 * Subscribers that stop reading: three raw connections subscribe to the origin's update stream
 * for every map and then read nothing (a tiny receive buffer, so the origin's writes back up at
 * once), while the maps change every second for forty seconds and two healthy push proxies
 * follow. The healthy ones must not be delayed (changes reach them within three seconds at the
 * 99th percentile), the origin's memory must stay bounded, and the stuck subscribers should be
 * disconnected (the origin promises to drop one that stays full for 30 s).
 */
final class SlowSubscriber implements Scenario {
    static final int ROUNDS = 40;
    static final int SLOW = 3;

    @Override
    public String name() {
        return "slow-subscriber";
    }

    @Override
    public String summary() {
        return "three update-stream subscribers stop reading while maps change every second; healthy push proxies must not wait";
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
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < SLOW; i++) {
            Socket s = subscribe(URI.create(origin.baseUri()));
            slow.add(s);
            ctx.lab.stopAtEnd(s);
        }
        long rssBefore = origin.residentKib();
        Propagation watch = new Propagation(origin.baseUri(), healthy, "/costmap/routingcost-map", Duration.ofSeconds(10));
        Churner churner = new Churner(maps, 0.05, 5, ctx.options.seed());
        long next = System.nanoTime();
        for (int i = 0; i < ROUNDS; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            churner.round();
            watch.await(System.nanoTime());
            next += 1_000_000_000L;
        }
        long rssAfter = origin.residentKib();
        int dropped = 0;
        for (Socket s : slow) {
            dropped += closedByServer(s) ? 1 : 0;
        }
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("changes that reached the healthy proxies", ROUNDS + " of " + ROUNDS,
                watch.reached() + " (missed " + watch.missed() + ")", watch.missed() == 0));
        checks.add(Check.of("change to the healthy proxies, p99", "<= 3000 ms",
                String.format(Locale.ROOT, "%.0f ms", watch.p99Millis()), watch.p99Millis() <= 3000));
        checks.add(Check.info("propagation", watch.describe()));
        checks.add(Check.of("stuck subscribers disconnected by the origin (after 30 s full)", SLOW + " of " + SLOW,
                dropped + " of " + SLOW, dropped == SLOW));
        long growth = rssAfter - rssBefore;
        checks.add(Check.of("origin resident memory growth", "< 256 MB",
                rssBefore < 0 ? "unknown" : fmt(growth / 1024) + " MB (" + fmt(rssBefore / 1024) + " -> " + fmt(rssAfter / 1024) + ")",
                rssBefore < 0 || growth < 256 * 1024));
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
