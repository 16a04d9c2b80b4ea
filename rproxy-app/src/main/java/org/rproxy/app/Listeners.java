package org.rproxy.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.UnresolvedAddressException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ConfigException;

/**
 * The listeners a node is about to open, each named as the operator gave it ({@code p.yaml:
 * listen.address}, {@code --admin}), and what a failed bind means in their words. {@link #probe}
 * binds each address for a moment before the node starts, so that a port already taken stops
 * the start before anything is served or logged as serving, with the setting named. A port can
 * still be taken between the probe and the bind: {@link #binding} names the setting of that
 * failure in the same words ({@code NAME: cannot listen on HOST:PORT: address already in use},
 * not a Java exception). Runs on the caller's thread.
 */
final class Listeners {
    private static final String CANNOT_LISTEN = "cannot listen on ";
    private static final String PERMISSION_DENIED = "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)";

    /**
     * Runs after every {@link #probe} that passed, with the addresses probed: the seam where a
     * test takes a port between the probe and the bind (nothing else sets it).
     */
    static volatile Consumer<Map<String, Address>> afterProbe = named -> { };

    private final Map<String, Address> named = new LinkedHashMap<>();

    /** Adds {@code address} under {@code name} (skipped when null). */
    Listeners add(String name, Address address) {
        if (address != null) {
            named.put(name, address);
        }
        return this;
    }

    /**
     * Binds and closes each address (a port 0 picks a free one: nothing to probe).
     *
     * @throws NotNow {@code "NAME: cannot listen on HOST:PORT: address already in use"} ({@link #failure})
     */
    void probe() {
        for (Map.Entry<String, Address> e : named.entrySet()) {
            Address a = e.getValue();
            if (a.port() == 0) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true); // as the node's listeners: a port left in TIME_WAIT is not taken
                s.bind(new InetSocketAddress(a.host(), a.port()));
            } catch (IOException | RuntimeException ex) {
                // "cannot listen on" as the front end says it, for scripts that look for it (the harness does).
                throw failure(e.getKey() + ": " + CANNOT_LISTEN + a + ": " + reason(ex), ex);
            }
        }
        afterProbe.accept(Map.copyOf(named));
    }

    /**
     * Runs {@code start}, which binds these listeners; when a bind fails (the front end's
     * {@code cannot listen on HOST:PORT: ...}), the failure names the setting as {@link #probe}
     * does. Any other failure is thrown as is.
     *
     * @throws NotNow {@code "NAME: cannot listen on HOST:PORT: address already in use"} ({@link #failure})
     */
    <T, E extends Exception> T binding(Start<T, E> start) throws E {
        try {
            return start.start();
        } catch (RuntimeException e) {
            throw named(e);
        }
    }

    /** What {@link #binding} runs: a start that binds the listeners. */
    @FunctionalInterface
    interface Start<T, E extends Exception> {
        T start() throws E;
    }

    /** {@code e} worded as {@link #probe} words it when it is a failed bind of one of these listeners, else {@code e}. */
    RuntimeException named(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m == null || !m.startsWith(CANNOT_LISTEN)) {
                continue;
            }
            // In the order added, which is the order they bind: with two on one port-0 address, the first failed.
            for (Map.Entry<String, Address> n : named.entrySet()) {
                Address a = n.getValue();
                if (m.startsWith(CANNOT_LISTEN + a.host() + ":" + a.port() + ": ")) {
                    return failure(n.getKey() + ": " + CANNOT_LISTEN + a + ": " + reason(t), e);
                }
            }
        }
        return e;
    }

    /**
     * A failed bind worded as {@code message}: a {@link NotNow} (exit status 1, started again)
     * but for a port the node may not bind ({@code permission denied}), which a second try cannot
     * change: a {@link ConfigException} (exit status 2), as a refused setting.
     */
    static RuntimeException failure(String message, Throwable cause) {
        return message.endsWith(": " + PERMISSION_DENIED) ? new ConfigException(message, cause)
                : new NotNow(message, cause);
    }

    /**
     * What a failed bind means: {@code address already in use}, {@code permission denied (...)},
     * {@code not an address of this host}, {@code cannot resolve host 'x'}, else the system's
     * reason without the exception's class.
     */
    static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof UnresolvedAddressException || String.valueOf(t.getMessage()).startsWith("Unresolved address")) {
            return "cannot resolve the host";
        }
        String m = String.valueOf(t.getMessage()).replaceFirst("^.*failed with error\\(-?\\d+\\): ", "");
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("address already in use")) {
            return "address already in use";
        }
        if (lower.contains("permission denied")) {
            return PERMISSION_DENIED;
        }
        if (lower.contains("cannot assign requested address")) {
            return "not an address of this host (cannot assign requested address)";
        }
        return m.isEmpty() || m.equals("null") ? "cannot bind" : lower.charAt(0) + m.substring(1);
    }

    /**
     * The message of a start that failed, without Java class names when a listener could not
     * bind ({@code cannot listen on HOST:PORT: address already in use}); any other message as is.
     */
    static String readable(String message, Throwable cause) {
        if (message != null && message.startsWith("cannot listen on ") && cause != null) {
            int end = message.indexOf(": ", "cannot listen on ".length());
            return (end < 0 ? message : message.substring(0, end)) + ": " + reason(cause);
        }
        return message;
    }
}
