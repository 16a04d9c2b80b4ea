package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.config.ProxyConfig;
import org.rproxy.pull.PullProxy;

/**
 * An operator sets the HTTP/2 streams a client may have open at once on one connection
 * ({@code listen.max-concurrent-streams}): a pull proxy started from a YAML file with 7
 * advertises {@code SETTINGS_MAX_CONCURRENT_STREAMS} 7 in its first SETTINGS frame, where it
 * advertised the built-in 1000 whatever the file said. Real origin, real proxy, a raw HTTP/2
 * connection (cleartext, prior knowledge).
 */
class ConcurrentStreamsIT {

    private static final int SETTINGS = 0x4;
    private static final int MAX_CONCURRENT_STREAMS = 0x3;

    @TempDir
    Path dir;

    @Test
    void aNodeAdvertisesTheStreamsPerConnectionItsFileSets() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir)) {
            ProxyConfig config = UnfinishedStreamsIT.fromFile(dir, lab, "narrow", "  max-concurrent-streams: 7\n", "");
            try (PullProxy proxy = PullProxy.start(config, Clock.systemUTC())) {
                try (Socket s = UnfinishedStreamsIT.h2(proxy)) {
                    assertEquals(7, advertisedStreams(new DataInputStream(s.getInputStream())),
                            "SETTINGS_MAX_CONCURRENT_STREAMS as the file says");
                }
            }
        }
    }

    /** The server's first SETTINGS frame's MAX_CONCURRENT_STREAMS, or -1 when it has none. */
    private static long advertisedStreams(DataInputStream in) throws IOException {
        while (true) {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            in.readInt();
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (type == SETTINGS && (flags & 0x1) == 0) {
                ByteBuffer b = ByteBuffer.wrap(payload);
                while (b.remaining() >= 6) {
                    int id = b.getShort() & 0xffff;
                    long value = b.getInt() & 0xffffffffL;
                    if (id == MAX_CONCURRENT_STREAMS) {
                        return value;
                    }
                }
                return -1;
            }
        }
    }
}
