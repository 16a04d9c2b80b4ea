package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.NetworkMap;

/**
 * Who the viewers are: viewer {@code i}'s address, whether it is returning (holds a tag from an
 * earlier visit), which dialect it speaks, how it finds its PID, and the peers it ranks — all
 * drawn from {@code (seed, i)} alone, so any viewer can be rebuilt without storing a million of
 * them and the same seed gives the same crowd.
 *
 * <p>Addresses come from the network map's IPv4 prefixes (a random prefix, then a random host in
 * it); a small share comes from outside the ISP (1.0.0.0-9.255.255.255, which a complete map puts
 * in its default PID). Immutable; thread-safe.
 */
public final class Population {
    /** Share of viewers from outside the ISP's prefixes. */
    static final double OUTSIDE = 0.02;

    private final long seed;
    private final int[] starts;
    private final int[] sizes;
    private final Mix mix;

    /**
     * Shares of the kinds of viewers.
     *
     * @param returning share that hold the network map's tag from an earlier visit
     * @param xml       share that speak the seed's XML dialect (the rest RFC 7285 JSON)
     * @param serverPid share that ask the server for their PID (the rest look it up in the map)
     * @param serverRank share that ask the server to rank their candidate peers (the rest rank them
     *                   locally from their cost row and the map, without a request)
     * @param peers     candidate peers each viewer ranks
     */
    public record Mix(double returning, double xml, double serverPid, double serverRank, int peers) {
        public Mix {
            share(returning, "--returning");
            share(xml, "--xml");
            share(serverPid, "--server-pid");
            share(serverRank, "--server-rank");
            if (peers < 1 || peers > 1000) {
                throw new IllegalArgumentException("--peers: " + peers + " (expected: 1-1000)");
            }
        }

        public static Mix defaults() {
            return new Mix(0.25, 0.5, 0.25, 1.0, 8);
        }

        private static void share(double v, String name) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException(name + ": " + v + " (expected: 0 to 1)");
            }
        }
    }

    public Population(NetworkMap map, Mix mix, long seed) {
        requireNonNull(map, "map");
        this.mix = requireNonNull(mix, "mix");
        this.seed = seed;
        List<Cidr> v4 = new ArrayList<>();
        map.pids().values().forEach(list -> list.forEach(c -> {
            // prefixes shorter than /8 are defaults and aggregates, not where access customers sit
            if (c.isV4() && c.length() >= 8) {
                v4.add(c);
            }
        }));
        starts = new int[v4.size()];
        sizes = new int[v4.size()];
        for (int i = 0; i < v4.size(); i++) {
            byte[] b = v4.get(i).address().toBytes();
            starts[i] = ((b[0] & 255) << 24) | ((b[1] & 255) << 16) | ((b[2] & 255) << 8) | (b[3] & 255);
            sizes[i] = v4.get(i).length() >= 31 ? 1 : (1 << (32 - v4.get(i).length())) - 2;
        }
    }

    public Mix mix() {
        return mix;
    }

    /** Prefixes addresses are drawn from. */
    public int prefixCount() {
        return starts.length;
    }

    /** Viewer {@code i}'s IPv4 address as an int. */
    public int address(long i) {
        return draw(random(i, 1));
    }

    public boolean returning(long i) {
        return random(i, 2).nextDouble() < mix.returning();
    }

    public boolean xml(long i) {
        return random(i, 3).nextDouble() < mix.xml();
    }

    public boolean serverPid(long i) {
        return random(i, 4).nextDouble() < mix.serverPid();
    }

    public boolean serverRank(long i) {
        return random(i, 6).nextDouble() < mix.serverRank();
    }

    /** The candidate peers viewer {@code i} ranks: addresses of other members of the crowd. */
    public int[] peers(long i) {
        SplittableRandom r = random(i, 5);
        int[] out = new int[mix.peers()];
        for (int k = 0; k < out.length; k++) {
            out[k] = draw(r);
        }
        return out;
    }

    private int draw(SplittableRandom r) {
        if (starts.length == 0 || r.nextDouble() < OUTSIDE) {
            return (1 + r.nextInt(9)) << 24 | r.nextInt(1 << 24);
        }
        int p = r.nextInt(starts.length);
        int host = sizes[p] == 1 ? 0 : 1 + r.nextInt(sizes[p]);
        return starts[p] + host;
    }

    private SplittableRandom random(long i, int purpose) {
        long h = seed * 0x9E3779B97F4A7C15L + i;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + purpose;
        return new SplittableRandom(h);
    }

    /** {@code a.b.c.d} of an address from {@link #address}. */
    public static String literal(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 255) + "." + ((ip >>> 8) & 255) + "." + (ip & 255);
    }
}
