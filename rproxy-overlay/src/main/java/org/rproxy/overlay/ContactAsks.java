package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How often {@link DhtJoin} asks back a node that contacted it: {@value #ASKS} times, a second,
 * two, four and eight seconds apart, then no more. A contact is a KRPC query mldht read (its
 * routing table's replacement entries come from nothing else), but its source address may be
 * forged: asked back once a second for as long as the node stays unjoined, one forged packet
 * would have the node send a third party a ping a second for good. A contact given up is asked
 * again only once it has contacted the node anew and {@link #QUIET_MILLIS} have passed since, so a
 * forged source costs its owner at most {@value #ASKS} pings per that time. Not thread-safe: one
 * join's scheduler tasks use it one at a time.
 */
final class ContactAsks {
    /** How many times a contact is asked before it is given up. */
    static final int ASKS = 5;
    /** How long a contact given up is left alone, whatever it sends: five minutes. */
    static final long QUIET_MILLIS = 300_000;
    /** How many contacts are remembered: the oldest goes first (the join asks at most 8 at once). */
    private static final int REMEMBERED = 256;

    /** What was asked of one contact: how many times, when next, and when it was given up. */
    private static final class Asked {
        int times;
        long nextAt;
        long gaveUpAt = -1;
    }

    private final Map<InetSocketAddress, Asked> contacts = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Asked> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * Whether to ask {@code contact} now, at {@code now} (milliseconds of any one clock), counting
     * the ask if so; {@code lastSeen} is when it last contacted the node, on the same clock.
     */
    boolean ask(InetSocketAddress contact, long lastSeen, long now) {
        Asked a = contacts.computeIfAbsent(contact, c -> new Asked());
        if (a.gaveUpAt >= 0) {
            if (lastSeen <= a.gaveUpAt || now - a.gaveUpAt < QUIET_MILLIS) {
                return false;
            }
            contacts.remove(contact);
            a = new Asked();
            contacts.put(contact, a);
        }
        if (now < a.nextAt) {
            return false;
        }
        a.times++;
        if (a.times >= ASKS) {
            a.gaveUpAt = now;
        } else {
            a.nextAt = now + (1000L << (a.times - 1));
        }
        return true;
    }
}
