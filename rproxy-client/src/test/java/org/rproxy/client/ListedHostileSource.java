package org.rproxy.client;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A {@link RawSource} listed as the only proxy in a real origin's directory (answering 503 until a
 * test gives it a script), and a client bootstrapped from that origin, so that it asks the source
 * first and the origin next: the set-up of the tests of hostile and half-updated proxies. Closes
 * all three.
 */
final class ListedHostileSource implements AutoCloseable {
    final RawSource hostile;
    final LocalOrigin origin;
    final AltoClient client;

    private ListedHostileSource(RawSource hostile, LocalOrigin origin, AltoClient client) {
        this.hostile = hostile;
        this.origin = origin;
        this.client = client;
    }

    /** Started in {@code dir}, the client with {@code timeout} and events of up to 1 MB. */
    static ListedHostileSource start(Path dir, Duration timeout) throws Exception {
        RawSource hostile = new RawSource((request, in, out) -> out.write(HostileProxyTest.ascii(
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")));
        LocalOrigin origin = null;
        try {
            origin = LocalOrigin.start(dir, List.of(hostile.base()));
            AltoClient client = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                    .withTimeout(timeout).withMaxEventBytes(1 << 20));
            return new ListedHostileSource(hostile, origin, client);
        } catch (Exception | Error e) {
            if (origin != null) {
                origin.close();
            }
            hostile.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
        origin.close();
        hostile.close();
    }
}
