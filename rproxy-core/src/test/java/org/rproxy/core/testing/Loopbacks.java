package org.rproxy.core.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Two client addresses on one machine, for tests that count connections per source: on Linux the
 * whole of 127.0.0.0/8 is loopback, so a socket bound to {@link #SECOND} reaches a server on
 * 127.0.0.1 from another address than one bound to {@link #FIRST}.
 */
public final class Loopbacks {
    public static final InetAddress FIRST = of("127.0.0.1");
    public static final InetAddress SECOND = of("127.0.0.2");

    private Loopbacks() {
    }

    private static InetAddress of(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(literal, e);
        }
    }
}
