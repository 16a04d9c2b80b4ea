package org.rproxy.harness.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code harness burst}: N requests for one URL sent at the same instant on N connections
 * opened beforehand, to see whether a cache collapses a cold miss into one upstream request and
 * how long the waiters wait. Unlike {@code ab}, no request goes first alone. Over {@code https}
 * each connection's handshake is done before the burst ({@link TargetTls}, as for viewers), so
 * the herd measures the cache, not key exchanges.
 *
 * <p>The latency is that of the requests answered (a status line, then the body until the
 * server closed), whatever their status; a request that failed (an error, no status line) or
 * did not end within the limit (a read waiting longer than it, or still going when it ran out:
 * both {@code no end within S s}) is counted as a failure, not given a latency. Exit 0 only when every request was answered with a 2xx.
 */
@Command(name = "burst", mixinStandardHelpOptions = true,
        description = "Send N simultaneous GETs for one URL (http or https) over N connections opened, and over "
                + "https handshaken, beforehand (a cold-miss thundering herd) and print statuses and the latency of the answered requests. A request "
                + "that fails or does not end within --timeout-seconds is a failure, not in the latency. "
                + "Exit 0 only when every request was answered with a 2xx.")
public final class BurstCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", required = true, paramLabel = "URL", description = "http://HOST[:PORT]/PATH or "
            + "https://HOST[:PORT]/PATH to request (port 80 or 443 by default); over https each connection's TLS "
            + "handshake is done before the burst.")
    URI url;

    @Option(names = "--ca", paramLabel = "FILE", description = "PEM CA certificates to check an https URL against "
            + "(default: the system trust store); the certificate must name the URL's host either way.")
    Path ca;

    @Option(names = "--concurrency", defaultValue = "200", paramLabel = "N", description = "Requests at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--header", paramLabel = "NAME: VALUE", description = "Extra request header; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--timeout-seconds", defaultValue = "30", paramLabel = "S", description = "Limit for each request, from when it is sent to the end of the answer (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (concurrency < 1 || concurrency > 5_000) {
            throw new IllegalArgumentException("--concurrency: " + concurrency + " (expected: 1-5000)");
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 3_600) {
            throw new IllegalArgumentException("--timeout-seconds: " + timeoutSeconds + " (expected: 1-3600)");
        }
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalArgumentException("--url: " + url + " (expected: http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH)");
        }
        for (String h : headers) {
            // a line without a name would make every request malformed, and the run would blame the server
            if (h.indexOf(':') < 1 || h.indexOf('\r') >= 0 || h.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("--header: '" + h + "' (expected: NAME: VALUE, on one line)");
            }
        }
        // the same trust, host check and failure wording as harness viewers
        TargetTls tls = TargetTls.forTargets(List.of(url), ca);
        int port = url.getPort() >= 0 ? url.getPort() : tls == null ? 80 : 443;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        StringBuilder req = new StringBuilder("GET ").append(path)
                .append(url.getRawQuery() == null ? "" : "?" + url.getRawQuery()).append(" HTTP/1.1\r\nHost: ")
                .append(url.getHost()).append(url.getPort() < 0 ? "" : ":" + port).append("\r\nConnection: close\r\n");
        headers.forEach(h -> req.append(h).append("\r\n"));
        byte[] request = req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Socket s = new Socket();
            sockets.add(s);
            try {
                s.connect(new InetSocketAddress(url.getHost(), port), Wire.CONNECT_TIMEOUT_MILLIS);
                s.setSoTimeout(timeoutSeconds * 1_000);
                if (tls != null) {
                    // handshakes before the burst: the herd measures the cache, not the key exchanges
                    sockets.set(i, tls.handshake(s, url.getHost(), port, Wire.CONNECT_TIMEOUT_MILLIS));
                }
            } catch (IOException e) {
                // the run failed (nothing listens there, a certificate refused, say), not its command line
                sockets.forEach(BurstCommand::closeQuietly);
                spec.commandLine().getErr().println("harness burst: cannot connect to " + url + ": " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            }
        }
        // the main thread goes with them, so that it knows when the requests were sent
        CyclicBarrier go = new CyclicBarrier(concurrency + 1);
        BurstResults results = new BurstResults(concurrency, "no end within " + timeoutSeconds + " s");
        for (int i = 0; i < concurrency; i++) {
            Socket s = sockets.get(i);
            int index = i;
            Thread t = new Thread(() -> {
                try (s) {
                    go.await();
                    long t0 = System.nanoTime();
                    OutputStream out = s.getOutputStream();
                    out.write(request);
                    out.flush();
                    String status = readStatusAndDrain(s.getInputStream());
                    if (status == null) {
                        results.failed(index, "no answer");
                    } else {
                        results.answered(index, status, (System.nanoTime() - t0) / 1_000);
                    }
                } catch (SocketTimeoutException e) {
                    // a read waited out the limit (a server that never answers): no end within it, as a cut-off
                    results.noEnd(index);
                } catch (Exception e) {
                    results.failed(index, "error: " + e.getClass().getSimpleName());
                }
            }, "burst");
            t.setDaemon(true);
            t.start();
        }
        go.await();
        // each request ends within the limit, or is cut off and counted as a failure
        results.awaitAll(TimeUnit.SECONDS.toNanos(timeoutSeconds) + TimeUnit.MILLISECONDS.toNanos(500));
        results.cutOff();
        sockets.forEach(BurstCommand::closeQuietly);
        PrintWriter out = spec.commandLine().getOut();
        out.println(results.summary(concurrency, url));
        out.flush();
        return results.allAnswered2xx() ? 0 : 1;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing a socket we are done with
        }
    }

    /** Reads the status code, then everything until the server closes (the request asked it to); null without a status line. */
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
        return line.startsWith("HTTP/1.") && line.length() >= 12 ? line.substring(9, 12) : null;
    }
}
