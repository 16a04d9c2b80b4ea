package org.rproxy.core.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reading raw HTTP/1.1 answers off a real socket, for the tests that need one. */
final class SocketReads {

    private SocketReads() {
    }

    /** An answer read off the socket: its status code, its body and its {@code Retry-After} (null: none). */
    record Answer(String status, String body, String retryAfter) {
    }

    /** The next answer on {@code s}: its head, then a body of its {@code Content-Length} (none: empty). */
    static Answer readAnswer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String head = readHead(in);
        int length = 0;
        String retryAfter = null;
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            } else if (lower.startsWith("retry-after:")) {
                retryAfter = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return new Answer(head.substring(9, 12), new String(in.readNBytes(length), StandardCharsets.UTF_8), retryAfter);
    }

    /** The status line and header fields up to the empty line, which is consumed too. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
