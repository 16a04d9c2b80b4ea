package org.rproxy.harness.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code harness burst}: N requests for one URL sent at the same instant on N connections
 * opened beforehand, to see whether a cache collapses a cold miss into one upstream request and
 * how long the waiters wait. Unlike {@code ab}, no request goes first alone.
 */
@Command(name = "burst", mixinStandardHelpOptions = true,
        description = {"Send N simultaneous GETs for one URL over N connections opened beforehand (a cold-miss",
                "thundering herd) and print statuses and the waiters' latency."})
public final class BurstCommand implements Callable<Integer> {

    @Option(names = "--url", required = true, paramLabel = "URL", description = "http://HOST:PORT/PATH to request.")
    URI url;

    @Option(names = "--concurrency", defaultValue = "200", paramLabel = "N", description = "Requests at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--header", paramLabel = "NAME: VALUE", description = "Extra request header; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--timeout-seconds", defaultValue = "30", paramLabel = "S", description = "Per-request limit (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (concurrency < 1 || concurrency > 5_000) {
            throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: 1-5000)");
        }
        StringBuilder req = new StringBuilder("GET ").append(url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                .append(url.getRawQuery() == null ? "" : "?" + url.getRawQuery()).append(" HTTP/1.1\r\nHost: ")
                .append(url.getHost()).append(':').append(url.getPort()).append("\r\nConnection: close\r\n");
        headers.forEach(h -> req.append(h).append("\r\n"));
        byte[] request = req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            s.setSoTimeout(timeoutSeconds * 1_000);
            sockets.add(s);
        }
        CyclicBarrier go = new CyclicBarrier(concurrency);
        CountDownLatch done = new CountDownLatch(concurrency);
        Histogram micros = new Histogram(3_600_000_000L, 3);
        Map<String, Integer> statuses = new TreeMap<>();
        for (Socket s : sockets) {
            Thread t = new Thread(() -> {
                String status;
                long took = 0;
                try (s) {
                    go.await();
                    long t0 = System.nanoTime();
                    OutputStream out = s.getOutputStream();
                    out.write(request);
                    out.flush();
                    status = readStatusAndDrain(s.getInputStream());
                    took = (System.nanoTime() - t0) / 1_000;
                } catch (Exception e) {
                    status = "error: " + e.getClass().getSimpleName();
                }
                synchronized (micros) {
                    micros.recordValue(Math.max(0, Math.min(took, 3_600_000_000L)));
                    statuses.merge(status, 1, Integer::sum);
                }
                done.countDown();
            }, "burst");
            t.setDaemon(true);
            t.start();
        }
        if (!done.await(timeoutSeconds + 10L, TimeUnit.SECONDS)) {
            System.out.println("burst: not every request ended in time");
        }
        synchronized (micros) {
            System.out.printf("burst %d x %s: statuses %s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", concurrency, url,
                    statuses, micros.getValueAtPercentile(50) / 1e3, micros.getValueAtPercentile(99) / 1e3,
                    micros.getMaxValue() / 1e3);
            return statuses.keySet().stream().allMatch(k -> k.startsWith("2")) ? 0 : 1;
        }
    }

    /** Reads the status code, then everything until the server closes (the request asked it to). */
    private static String readStatusAndDrain(InputStream in) throws IOException {
        byte[] buf = new byte[65_536];
        StringBuilder head = new StringBuilder();
        int n;
        while ((n = in.read(buf)) > 0) {
            if (head.length() < 16) {
                head.append(new String(buf, 0, Math.min(n, 16), StandardCharsets.ISO_8859_1));
            }
        }
        String line = head.toString();
        return line.startsWith("HTTP/1.") && line.length() >= 12 ? line.substring(9, 12) : "no answer";
    }
}
