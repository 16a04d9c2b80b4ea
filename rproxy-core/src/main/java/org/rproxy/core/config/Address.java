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
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
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
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
