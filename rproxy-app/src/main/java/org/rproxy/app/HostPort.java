package org.rproxy.app;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A {@code HOST:PORT} listen address; {@code [::1]:8080} for IPv6 literals. */
record HostPort(String host, int port) {

    static final class Converter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return parse(value);
        }
    }

    static HostPort parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new TypeConversionException("'" + value + "' (expected: HOST:PORT, e.g. 127.0.0.1:8181)");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "': port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new TypeConversionException("'" + value + "': port " + port + " (expected: 0-65535)");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
