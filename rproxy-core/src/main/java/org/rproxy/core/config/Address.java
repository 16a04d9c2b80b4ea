package org.rproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A listen address, {@code HOST:PORT} ({@code [::1]:8080} for IPv6 literals). A bare
 * {@code PORT} means loopback, the safe default for admin listeners.
 *
 * @param host name or literal, never blank
 * @param port 0-65535, 0 for an ephemeral port
 */
public record Address(String host, int port) {

    public Address {
        requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /**
     * {@code host} without the brackets a URI puts around an IPv6 literal ({@link java.net.URI#getHost}
     * gives {@code [::1]}): the name to look up, connect to and check a certificate against.
     */
    public static String bare(String host) {
        return host.length() > 1 && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
                : host;
    }

    /**
     * The authority {@code host:port} as a Host field or a log names it, an IPv6 literal in
     * brackets ({@code [::1]:8080}, RFC 3986 §3.2.2); {@code host} bare or bracketed.
     */
    public static String authority(String host, int port) {
        String h = bare(host);
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }

    /** The address a socket is bound to, its host as a literal: {@code 127.0.0.1:8080}, {@code [::1]:8080}. */
    public static Address of(InetSocketAddress bound) {
        return new Address(bound.getAddress().getHostAddress(), bound.getPort());
    }

    /**
     * Reads {@code HOST:PORT}, {@code [IPV6]:PORT} or a bare {@code PORT} (loopback).
     *
     * @throws IllegalArgumentException {@code "'x:y' is not HOST:PORT (...)"}
     */
    public static Address parse(String text) {
        String v = text == null ? "" : text.trim();
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : v.substring(0, colon);
        String port = colon < 0 ? v : v.substring(colon + 1);
        host = bare(host);
        try {
            int p = Integer.parseInt(port);
            if (!host.isBlank() && p >= 0 && p <= 65_535) {
                return new Address(host, p);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (expected e.g. 127.0.0.1:8282)");
    }

    /**
     * This address with its host name looked up, as a listener binding it would: a literal is
     * taken as is, a name must resolve.
     *
     * @throws IllegalArgumentException {@code "cannot resolve host 'x' (...)"}
     */
    public Address resolvable() {
        try {
            InetAddress.getByName(host);
            return this;
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "' (expected: a name this host resolves,"
                    + " or an address such as 127.0.0.1 or 0.0.0.0)", e);
        }
    }

    /**
     * Whether two listeners on this address and {@code other} could not both bind: the same port
     * (not 0, which picks a free one) on the same host, or either on every address
     * ({@code 0.0.0.0}, {@code ::}).
     */
    public boolean clashesWith(Address other) {
        if (port == 0 || port != other.port) {
            return false;
        }
        if (host.equalsIgnoreCase(other.host) || isAny() || other.isAny()) {
            return true;
        }
        try {
            return InetAddress.getByName(host).equals(InetAddress.getByName(other.host));
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    private boolean isAny() {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    /** True for 127.0.0.0/8, ::1 and {@code localhost}. */
    public boolean isLoopback() {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return authority(host, port);
    }
}
