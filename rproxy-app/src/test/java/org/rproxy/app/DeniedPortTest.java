package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port the node may not bind ({@code permission denied}) is a refused setting, exit status 2,
 * whichever listener asks for it: the proxy's own, and the overlay's ports its probe checks.
 * A real denial, not a simulated one: the proxy runs as a child process asking for UDP port 1;
 * run as root, the child runs without {@code CAP_NET_BIND_SERVICE} ({@code setpriv}), so the
 * kernel refuses it as it refuses any unprivileged user. Where neither can be had (no setpriv, or
 * the kernel lets every user bind port 1) the test is skipped, saying why.
 */
class DeniedPortTest {

    private static final String DENIED = "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)";

    @TempDir
    Path dir;

    @Test
    void theOverlaysDhtPortDeniedIsARefusedSettingExit2() throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.resolve("K").toString()).exit());
        assertEquals(0, CommandRun.of("keygen", "--out", dir.resolve("D").toString()).exit());
        Path overlay = Files.writeString(dir.resolve("ov.yaml"), "dht-port: 1\nbt-port: 16893\nbootstrap: [127.0.0.1:1]\n"
                + "key: " + dir.resolve("D/origin.key") + "\nstorage: " + dir.resolve("st") + "\n");
        Result r = run("proxy", "--upstream", "http://127.0.0.1:1", "--trust", dir.resolve("K/origin.pub").toString(),
                "--listen", "127.0.0.1:0", "--overlay", overlay.toString());
        assertTrue(r.err.contains("rproxy proxy: " + overlay + ": dht-port: cannot listen on 0.0.0.0:1 (UDP): " + DENIED),
                r.toString());
        assertEquals(2, r.exit, r.toString()); // a refused setting, as the proxy's listener: not started again
    }

    @Test
    void theProxysListenPortDeniedIsARefusedSettingExit2() throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.resolve("K").toString()).exit());
        Result r = run("proxy", "--upstream", "http://127.0.0.1:9", "--trust", dir.resolve("K/origin.pub").toString(),
                "--listen", "127.0.0.1:1");
        assertTrue(r.err.contains("rproxy proxy: --listen: cannot listen on 127.0.0.1:1: " + DENIED), r.toString());
        assertEquals(2, r.exit, r.toString());
    }

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nout: " + out + "\nerr: " + err;
        }
    }

    /** {@code rproxy ARGS} in a child JVM that may not bind a port below 1024. */
    private Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        boolean root = (Integer) Files.getAttribute(dir, "unix:uid") == 0;
        if (root) {
            List<String> drop = List.of("setpriv", "--inh-caps", "-net_bind_service", "--bounding-set",
                    "-net_bind_service", "--");
            Process probe;
            try {
                probe = new ProcessBuilder(concat(drop, List.of("true"))).redirectErrorStream(true).start();
            } catch (IOException e) {
                probe = null;
            }
            assumeTrue(probe != null && probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                    "run as root without setpriv able to drop CAP_NET_BIND_SERVICE: no way to be denied a port");
            command.addAll(drop);
        } else {
            try (DatagramSocket s = new DatagramSocket(null)) {
                s.bind(new InetSocketAddress(1));
                assumeTrue(false, "this kernel lets every user bind port 1 (net.ipv4.ip_unprivileged_port_start)");
            } catch (SocketException expected) {
                // denied, as the child will be
            }
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the child did not stop: it was let bind the port\n"
                    + Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
