package org.rproxy.core.testing;

import java.io.IOException;
import java.io.InputStream;

/**
 * What the tests' hand-written servers on real loopback sockets share: a daemon thread whose
 * socket work ends quietly when a socket is closed, and reading an HTTP/1.1 request head.
 */
public final class RawSockets {

    private RawSockets() {
    }

    /** Socket work run on a {@link #daemon} thread. */
    public interface Body {
        void run() throws IOException;
    }

    /** Runs {@code body} on a daemon thread named {@code name}; an IOException (a socket closed) ends it. */
    public static void daemon(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (IOException closed) {
                // a socket closed: the connection or the test is over
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /**
     * The request line and header fields up to the empty line, which is consumed too; null if
     * the stream ends first.
     */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                return sb.toString();
            }
        }
        return null;
    }
}
