package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.harness.load.PrometheusPage;
import org.rproxy.pull.PullProxy;

/**
 * An operator bounds the HTTP/2 requests a node holds unfinished ({@code listen.max-unfinished-streams})
 * and sees the refusals: a pull proxy started from a YAML file with a bound of 2 takes two POST
 * heads whose bodies never come, refuses the third stream with {@code RST_STREAM REFUSED_STREAM},
 * and counts it in {@code rproxy_unfinished_streams_refused_total} on its admin page (0 before),
 * where {@code rproxy_unfinished_streams} shows the two held beside their bound, and none once
 * their connection has gone.
 * Real origin, real proxy, a raw HTTP/2 connection (cleartext, prior knowledge).
 */
class UnfinishedStreamsIT {

    private static final int REFUSED_STREAM = 0x7;
    private static final String METER = "rproxy_unfinished_streams_refused_total";
    private static final String HELD = "rproxy_unfinished_streams";

    @TempDir
    Path dir;

    @Test
    void aNodeConfiguredWithALowBoundRefusesTheNextUnfinishedStreamAndCountsIt() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir)) {
            ProxyConfig config = fromFile(dir, lab, "bounded", "  max-unfinished-streams: 2\n",
                    "admin: {address: '127.0.0.1:0'}\n");
            assertEquals(2, config.listen().maxUnfinishedStreams());
            try (PullProxy proxy = PullProxy.start(config, Clock.systemUTC())) {
                String metrics = "http://127.0.0.1:" + proxy.adminAddress().getPort() + "/metrics";
                assertEquals(0.0, refused(metrics), "shown from the start");
                try (Socket s = h2(proxy)) {
                    OutputStream out = s.getOutputStream();
                    for (int stream = 1; stream <= 5; stream += 2) { // the third is one too many
                        frame(out, 0x1, 0x4, stream, head()); // HEADERS, END_HEADERS, no END_STREAM
                    }
                    out.flush();
                    assertEquals(5, awaitReset(new DataInputStream(s.getInputStream()), out),
                            "the third unfinished stream is refused, the two before it are not");
                    assertTrue(Proxies.await(() -> sample(metrics, HELD) == 2.0, 20),
                            "the two held are shown: " + sample(metrics, HELD));
                    assertEquals(2.0, sample(metrics, HELD + "_max"), "beside the bound");
                }
                assertTrue(Proxies.await(() -> sample(metrics, HELD) == 0.0, 20),
                        "the connection gone, its places are given back: " + sample(metrics, HELD));
                assertTrue(Proxies.await(() -> refused(metrics) == 1.0, 20), "the refusal is counted: " + refused(metrics));
            }
        }
    }

    /**
     * The settings of a pull proxy of {@code lab}'s origin as an operator writes them, read from a
     * YAML file as {@code rproxy proxy --config} reads it: named {@code name}, listening on an
     * ephemeral loopback port with {@code listen} (lines under {@code listen:}), and {@code more}
     * (top-level lines).
     */
    static ProxyConfig fromFile(Path dir, PlainSubscriberIT.Lab lab, String name, String listen, String more)
            throws IOException {
        Path file = Files.writeString(dir.resolve("pull.yaml"), "mode: pull\nname: " + name + "\n"
                + "listen:\n  address: 127.0.0.1:0\n" + listen
                + "upstream:\n  url: " + lab.origin.baseUri() + "\n  trust: ['" + lab.pub + "']\n" + more);
        return new ConfigLoader().load(file, ProxyConfig.class);
    }

    /** A raw HTTP/2 connection to {@code proxy} (cleartext, prior knowledge): its preface and an empty SETTINGS sent. */
    static Socket h2(PullProxy proxy) throws IOException {
        URI base = URI.create(proxy.baseUri());
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(out, 0x4, 0, 0, new byte[0]); // SETTINGS
            out.flush();
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A query's head, its body to follow (HPACK literals without indexing, new names). */
    private static byte[] head() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String[] f : new String[][] {{":method", "POST"}, {":scheme", "http"}, {":authority", "alto.example"},
                {":path", "/endpointprop/lookup"}, {"content-type", "application/alto-endpointpropparams+json"}}) {
            b.write(0x00);
            literal(b, f[0]);
            literal(b, f[1]);
        }
        return b.toByteArray();
    }

    private static void literal(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        b.write(bytes.length); // all shorter than 127
        b.write(bytes, 0, bytes.length);
    }

    static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) (n >> 16), (byte) (n >> 8), (byte) n, (byte) type, (byte) flags,
                (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream});
        out.write(payload);
    }

    /** Reads frames (acknowledging the server's SETTINGS) until a RST_STREAM REFUSED_STREAM; its stream. */
    private static int awaitReset(DataInputStream in, OutputStream out) throws IOException {
        while (true) {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (type == 0x4 && (flags & 0x1) == 0) {
                frame(out, 0x4, 0x1, 0, new byte[0]);
                out.flush();
            } else if (type == 0x3) {
                int code = java.nio.ByteBuffer.wrap(payload).getInt();
                assertEquals(REFUSED_STREAM, code, "the reset of stream " + stream);
                return stream;
            } else if (type == 0x7) {
                throw new AssertionError("GOAWAY before any reset");
            }
        }
    }

    private static double refused(String metrics) {
        return sample(metrics, METER);
    }

    private static double sample(String metrics, String meter) {
        try {
            return PrometheusPage.sample(new String(Proxies.get(metrics).body(), StandardCharsets.UTF_8), meter).orElse(-1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
