package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.testing.RawSockets;

/**
 * An upstream that answers what cannot be used (bytes that are not HTTP, a body over the bound)
 * fails the request as {@link UpstreamException.Kind#UNUSABLE}: it answered, and a caller
 * counting an outage of the upstream must not count it. One that closes the connection in the
 * middle of its answer gave none: {@link UpstreamException.Kind#FAILED}, as before. Both were
 * {@code FAILED}, so a pull proxy took an upstream that answered a document too large for one
 * that had stopped answering. Real loopback sockets: a server that writes {@code answer} to the
 * first request and closes.
 */
class UpstreamAnswerKindTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not HTTP|NOT HTTP\\r\\n\\r\\n|UNUSABLE|malformed response from 127.0.0.1:",
        "body over max-body|HTTP/1.1 200 OK\\r\\ncontent-length: 4096\\r\\n\\r\\n|UNUSABLE|(expected: at most 1024 bytes, its max-body)",
        "closed within the head|HTTP/1.1 200 OK\\r\\ncontent-le|FAILED|closed the connection in the middle of its answer",
    })
    void anAnswerThatCannotBeUsedIsToldFromNoAnswer(String name, String answer, UpstreamException.Kind kind, String says)
            throws Exception {
        byte[] bytes = answer.replace("\\r\\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> answerOnce(server, bytes), "raw-upstream");
            t.setDaemon(true);
            t.start();
            try (UpstreamClient client = UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", server.getLocalPort(),
                    null, 1, Duration.ofSeconds(10), Duration.ofSeconds(20), 1024, 1))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> client.send(UpstreamRequest.get("/map", List.of())).get(30, TimeUnit.SECONDS));
                UpstreamException u = (UpstreamException) e.getCause();
                assertEquals(kind, u.kind(), u.getMessage());
                assertTrue(u.getMessage().contains(says), u.getMessage());
            }
        }
    }

    /** Reads one request head, writes {@code bytes}, and closes the connection. */
    private static void answerOnce(ServerSocket server, byte[] bytes) {
        try (Socket s = server.accept()) {
            if (RawSockets.readHead(s.getInputStream()) == null) {
                return;
            }
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
        } catch (IOException e) {
            // the client went first
        }
    }
}
