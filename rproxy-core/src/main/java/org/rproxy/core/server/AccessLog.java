package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one event per response on the logger {@value #LOGGER} at INFO, off unless
 * that logger is enabled (the command's {@code --access-log}, or {@code RPROXY_ACCESS_LOG=INFO}
 * with the shipped Logback configurations, which send it through an asynchronous appender).
 *
 * <p>The message is one line of {@code key=value} fields, in this order: {@code client} (the
 * peer's address), {@code method}, {@code path}, {@code protocol}, {@code status}, {@code bytes}
 * (of body), {@code duration_ms} (from the request head to the response handed to the socket),
 * {@code cache} ({@code hit}, {@code stale}, {@code miss}, {@code local}, {@code origin} or
 * {@code -}), {@code encoding} ({@code identity}, {@code gzip}) and {@code dialect}
 * ({@code json}, {@code xml}); the time is the log event's. Each field is also attached as an
 * SLF4J key-value pair, which a JSON layout writes as a field of its own. The path comes from
 * the client: control characters, spaces, quotes and backslashes in it are written as
 * {@code \xHH}, so a line cannot be forged.
 *
 * <p>Called on event loops: when the logger is off, one level check; when on, the line is
 * formatted and the event handed to the appender (with an asynchronous appender, an enqueue
 * that drops rather than blocks when the queue is full). Stateless.
 */
public final class AccessLog implements RequestObserver {
    /** The logger name that carries the access log. */
    public static final String LOGGER = "rproxy.access";

    private final Logger log;

    public AccessLog() {
        this(LoggerFactory.getLogger(LOGGER));
    }

    AccessLog(Logger log) {
        this.log = requireNonNull(log, "log");
    }

    @Override
    public void onResponse(Served r) {
        if (!log.isInfoEnabled()) {
            return;
        }
        String client = client(r.client());
        String path = escape(r.path());
        String millis = millis(r.nanos());
        String cache = r.cache().label();
        String dialect = r.dialect().name().toLowerCase(Locale.ROOT);
        log.atInfo()
                .addKeyValue("client", client).addKeyValue("method", r.method()).addKeyValue("path", path)
                .addKeyValue("protocol", r.protocol()).addKeyValue("status", r.status())
                .addKeyValue("bytes", r.bodyBytes()).addKeyValue("duration_ms", Math.max(0, r.nanos()) / 1_000 / 1e3)
                .addKeyValue("cache", cache)
                .addKeyValue("encoding", r.encoding()).addKeyValue("dialect", dialect)
                .log("client=" + client + " method=" + r.method() + " path=" + path + " protocol=" + r.protocol()
                        + " status=" + r.status() + " bytes=" + r.bodyBytes() + " duration_ms=" + millis
                        + " cache=" + cache + " encoding=" + r.encoding() + " dialect=" + dialect);
    }

    /** Nanoseconds as milliseconds with three decimals, such as {@code 0.412}. */
    static String millis(long nanos) {
        long micros = Math.max(0, nanos) / 1_000;
        long fraction = micros % 1_000;
        return micros / 1_000 + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }

    /** The peer's IP address (no port, no reverse lookup), {@code -} when unknown. */
    static String client(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return address == null ? "-" : escape(address.toString());
    }

    /** {@code s} with bytes a log reader could take for a field or line break written as {@code \xHH}. */
    static String escape(String s) {
        int i = 0;
        while (i < s.length() && plain(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (plain(c)) {
                b.append(c);
            } else {
                b.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
            }
        }
        return b.toString();
    }

    private static boolean plain(char c) {
        return c > ' ' && c != 0x7f && c != '"' && c != '\\' && !(c >= 0x80 && c < 0xa0) && c != 0x2028 && c != 0x2029;
    }
}
