package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

/** {@code rproxy fetch --origin}: a clear line and exit code when discovery cannot even start. */
class OriginFetchTest {

    /** A well-formed key id (43 base64url characters); no origin here has it. */
    private static final String KEY_ID = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    @Test
    void anUnreachableOriginIsNamedWithItsReason() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: connections to it are refused
        }
        String origin = "http://127.0.0.1:" + port;
        CommandRun run = CommandRun.of("fetch", "--origin", origin, "--keyid", KEY_ID, "/directory", "--timeout", "2s");
        assertEquals(FetchOutcome.UNREACHABLE.exitCode(), run.exit(), run.toString());
        assertTrue(run.out().startsWith("UNREACHABLE /directory: ") && run.out().contains(origin), run.toString());
    }

    @Test
    void discoveryTakesOneKeyAndFetchesOnly() {
        assertEquals(2, CommandRun.of("fetch", "--origin", "http://127.0.0.1:1", "/directory").exit());
        assertEquals(2, CommandRun.of("fetch", "--origin", "http://127.0.0.1:1", "--keyid", "x1", "-o", "b.http",
                "/directory").exit());
        assertEquals(2, CommandRun.of("fetch", "--keyid", "x1", "http://127.0.0.1:1/directory").exit());
    }
}
