package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.messages.MessageBase;

/**
 * The nodes that contacted an unjoined {@link DhtJoin}, and how often each was asked back:
 * {@value #ASKS} times, a second, two, four and eight seconds apart, then no more. A contact is a
 * KRPC query the node read, recorded here by its source address with the node id it gave; that
 * address may be forged, and asked back once a second for as long as the node stays unjoined, one
 * forged packet would have the node send a third party a ping a second for good. A contact given
 * up is asked again from the start only once it has contacted the node anew and
 * {@link #QUIET_MILLIS} have passed since; one that contacts the node with another node id is asked
 * once more at the next round (a peer that came back, restarted with a new id), so a forged packet costs the
 * address's owner at most one ping. The record is ours, not mldht's list of unanswered contacts:
 * that list refuses a contact whose address one of its entries has, whatever its id, and holds at
 * most 8 per bucket, so a contact forged at a peer's address, or a few forged contacts kept fresh,
 * kept that peer out of it and the node never joined. Thread-safe: mldht's threads record, the
 * join's scheduler tasks ask.
 */
final class ContactAsks {
    /** How many times a contact is asked before it is given up. */
    static final int ASKS = 5;
    /** How long a contact given up is left alone, whatever it sends with the same id: five minutes. */
    static final long QUIET_MILLIS = 300_000;
    /** How many contacts are asked at once, at most: those never asked first. */
    static final int AT_ONCE = NearestLookup.K;
    /** How many contacts are remembered: the one heard of first goes first. */
    private static final int REMEMBERED = 256;
    /**
     * How many contacts one IP address may have remembered (nodes behind one NAT each have a port):
     * without a bound, one host querying from new source ports kept an honest contact heard of
     * after its own behind them, never asked.
     */
    static final int PER_ADDRESS = 4;

    /** One contact: the node id it last gave, when it was last heard, and what was asked of it. */
    private static final class Contact {
        Key id;
        long heardAt;
        int times;
        long nextAt;
        long gaveUpAt = -1;
        /** Whether it was given up and then contacted the node with another id: one more ask. */
        boolean again;

        Contact(Key id, long heardAt) {
            this.id = id;
            this.heardAt = heardAt;
        }

        boolean fresh() {
            return times == 0 || again;
        }
    }

    /** Milliseconds of a monotonic clock. */
    private final LongSupplier clock;
    private final Map<InetSocketAddress, Contact> contacts = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Contact> eldest) {
            return size() > REMEMBERED;
        }
    };

    ContactAsks(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * A record of the queries {@code dht} reads, registered before it starts (mldht reads its
     * listeners unguarded once it runs).
     */
    static ContactAsks recordedBy(DHT dht) {
        ContactAsks asks = new ContactAsks(() -> System.nanoTime() / 1_000_000);
        dht.addIncomingMessageListener((d, m) -> {
            if (m.getType() == MessageBase.Type.REQ_MSG && m.getOrigin() != null && m.getID() != null) {
                asks.heard(m.getOrigin(), m.getID());
            }
        });
        return asks;
    }

    /** Records a query from {@code from}, which gave node id {@code id}. */
    synchronized void heard(InetSocketAddress from, Key id) {
        long now = clock.getAsLong();
        Contact c = contacts.get(from);
        if (c == null) {
            if (sameAddress(from) < PER_ADDRESS) {
                contacts.put(from, new Contact(id, now));
            }
            return;
        }
        if (c.gaveUpAt >= 0 && !id.equals(c.id)) {
            c.again = true;
        }
        c.id = id;
        c.heardAt = now;
    }

    /**
     * The contacts to ask now, at most {@value #AT_ONCE}, counting each ask: those never asked (or
     * asked once more) first, in the order they were heard of, then those due again; never one
     * given up, which would take another's place.
     */
    synchronized List<InetSocketAddress> due() {
        long now = clock.getAsLong();
        List<Map.Entry<InetSocketAddress, Contact>> fresh = new ArrayList<>();
        List<Map.Entry<InetSocketAddress, Contact>> again = new ArrayList<>();
        for (Map.Entry<InetSocketAddress, Contact> e : contacts.entrySet()) {
            Contact c = e.getValue();
            if (c.gaveUpAt >= 0 && !c.again && c.heardAt > c.gaveUpAt && now - c.gaveUpAt >= QUIET_MILLIS) {
                c.times = 0;
                c.gaveUpAt = -1;
            }
            if (c.fresh()) {
                fresh.add(e);
            } else if (c.gaveUpAt < 0 && now >= c.nextAt) {
                again.add(e);
            }
        }
        fresh.addAll(again);
        List<InetSocketAddress> out = new ArrayList<>();
        for (Map.Entry<InetSocketAddress, Contact> e : fresh.subList(0, Math.min(AT_ONCE, fresh.size()))) {
            count(e.getValue(), now);
            out.add(e.getKey());
        }
        return out;
    }

    private int sameAddress(InetSocketAddress from) {
        int n = 0;
        for (InetSocketAddress a : contacts.keySet()) {
            if (a.getAddress().equals(from.getAddress())) {
                n++;
            }
        }
        return n;
    }

    private static void count(Contact c, long now) {
        if (c.again) {
            c.again = false;
            return;
        }
        c.times++;
        if (c.times >= ASKS) {
            c.gaveUpAt = now;
        } else {
            c.nextAt = now + (1000L << (c.times - 1));
        }
    }
}
