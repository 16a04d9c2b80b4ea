package org.rproxy.harness.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Whether this machine lets the harness make a network namespace of its own ({@code unshare -n},
 * then {@code ip} inside it): the overlay's runs need one, since mldht refuses loopback and
 * private addresses and nothing may leave the machine. Used by the {@code overlay} scenario and
 * by the overlay's integration test, which both say why they cannot run rather than skip silently.
 */
public final class NetworkNamespace {

    private NetworkNamespace() {
    }

    /** Null when {@code unshare -n} and {@code ip} work here, else why not. */
    public static String unavailable() {
        try {
            Process p = new ProcessBuilder("unshare", "-n", "ip", "link", "set", "lo", "up")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unshare -n did not end within 10 s";
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? null : "unshare -n ip link set lo up: exit " + p.exitValue() + " " + said;
        } catch (IOException e) {
            return "unshare or ip not runnable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
