package org.rproxy.harness.scenario;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code harness relay}: the counting and fault-injecting relay as a process of its own. */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Relay HTTP/1.1 to an upstream on loopback, printing one line per request ('REQ METHOD TARGET [accept-encoding=V]'), "
                + "so a script can count what reached the upstream; --mode tamper flips a byte of every signed body, "
                + "--mode down accepts each connection and closes it at once (a client sees the connection closed, not refused). Runs until stopped.")
public final class RelayCommand implements Callable<Integer> {

    @Option(names = "--upstream", required = true, paramLabel = "URL", description = "http://HOST:PORT to relay to.")
    URI upstream;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
            description = "Loopback port to listen on; 0 for any (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--mode", defaultValue = "pass", paramLabel = "MODE", description = "pass, tamper or down (default ${DEFAULT-VALUE}).")
    String mode;

    @Override
    public Integer call() throws Exception {
        if (!"http".equals(upstream.getScheme()) || upstream.getHost() == null) {
            throw new IllegalArgumentException("--upstream: " + upstream + " (expected: http://HOST:PORT)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port: " + port + " (expected: 0-65535; 0 for any)");
        }
        CountingRelay.Mode relayMode = switch (mode.toLowerCase(Locale.ROOT)) {
            case "pass" -> CountingRelay.Mode.PASS;
            case "tamper" -> CountingRelay.Mode.TAMPER;
            case "down" -> CountingRelay.Mode.DOWN;
            default -> throw new IllegalArgumentException("--mode: " + mode + " (expected: pass, tamper or down)");
        };
        InetSocketAddress up = new InetSocketAddress(upstream.getHost(), upstream.getPort() < 0 ? 80 : upstream.getPort());
        try (CountingRelay relay = new CountingRelay(up, port, line -> {
            synchronized (System.out) {
                System.out.println(line);
                System.out.flush();
            }
        })) {
            relay.mode(relayMode);
            System.out.println("relay listening on " + relay.baseUri() + " -> " + upstream);
            System.out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "harness-relay-stop"));
            stop.await();
        }
        return 0;
    }
}
