package org.rproxy.harness.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One GET on a fresh loopback connection, as a new client makes it: connect, send the request
 * with {@code Connection: close}, read the answer to its end. The time covers all of it, so an
 * accept queue or an event loop that falls behind shows. Blocking, on the caller's thread.
 */
final class LoopbackGet {
    /** Status of an answer that did not come whole within the time allowed. */
    static final int TIMEOUT = -1;
    /** Status when the connection failed or was reset before a status line came. */
    static final int FAILED = -2;

    /**
     * @param status the HTTP status, {@link #TIMEOUT} or {@link #FAILED}
     * @param micros from before connecting to the end of the answer (or to the failure)
     */
    record Answer(int status, long micros) {
    }

    private LoopbackGet() {
    }

    static Answer get(int port, String path, long timeoutMillis) {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int status = FAILED;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeoutMillis);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            StringBuilder head = new StringBuilder();
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return new Answer(TIMEOUT, micros(start));
                }
                s.setSoTimeout((int) left);
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                if (head.length() < 12) {
                    head.append(new String(buf, 0, Math.min(n, 12), StandardCharsets.US_ASCII));
                }
            }
            if (head.length() >= 12 && head.substring(0, 7).equals("HTTP/1.")) {
                status = Integer.parseInt(head.substring(9, 12));
            }
            return new Answer(status, micros(start));
        } catch (SocketTimeoutException e) {
            return new Answer(TIMEOUT, micros(start));
        } catch (IOException | NumberFormatException e) {
            return new Answer(status, micros(start));
        }
    }

    private static long micros(long start) {
        return Math.max(1, (System.nanoTime() - start) / 1_000);
    }
}
