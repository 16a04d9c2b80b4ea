package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rproxy fetch URL} speaks HTTP/1.1 as the client library ({@code --origin}) does, so the
 * two word a hostile source alike: one that switches an http connection to HTTP/2 (the JDK's
 * default offers h2c) and sends a body over {@code --max-body} was refused as "not a valid HTTP
 * response: connection reset", the JDK's reset of the stream, not what the source did. Real sockets.
 */
class FetchOffersNoHttp2Test {
    @TempDir
    Path dir;

    @Test
    void aSourceThatSwitchesToHttp2IsRefusedAsNoValidHttpAnswer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> asked = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    String head = readHead(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    frame(out, 4, 0, new byte[0]); // SETTINGS
                    frame(out, 1, 4, new byte[] {(byte) 0x88}); // HEADERS, stream 1: :status 200
                    byte[] data = new byte[16_000];
                    for (int i = 0; i < 256; i++) { // 4 MB of DATA on stream 1, four times --max-body
                        frame(out, 0, 0, data);
                    }
                    return head;
                } catch (IOException gone) {
                    return "(the connection ended: " + gone.getMessage() + ")";
                }
            });
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/prop/pid";
            CommandRun run = CommandRun.of("fetch", url, "--trust", SignedOrigin.anyKey(dir).toString(),
                    "--max-body", "1MB", "--timeout", "5s");
            String head = asked.get(20, TimeUnit.SECONDS);
            assertEquals(1, run.exit(), run.toString());
            assertEquals("INVALID " + url + ": not a valid HTTP response: unexpected 101 response,"
                    + " when not upgrading\n", run.out(), run.toString());
            assertFalse(head.toLowerCase(Locale.ROOT).contains("upgrade"), "no HTTP/2 offered: " + head);
        }
    }

    /** An HTTP/2 frame on stream 1 (0 for SETTINGS), RFC 9113 §4.1. */
    private static void frame(OutputStream out, int type, int flags, byte[] payload) throws IOException {
        int n = payload.length;
        int stream = type == 4 ? 0 : 1;
        out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags, 0, 0, 0,
                (byte) stream});
        out.write(payload);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
