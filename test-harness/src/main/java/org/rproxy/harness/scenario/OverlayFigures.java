package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The figures of the {@code overlay} scenario, computed from its peers' samples: how viewers
 * were served (from the overlay, the fallback proxy, the origin), and how long a change took to
 * reach a share of the peers. Pure functions.
 */
final class OverlayFigures {
    private OverlayFigures() {
    }

    /** Where a peer's copy of a document came from. */
    enum Source {
        OVERLAY("overlay"), PROXY("proxy"), ORIGIN("origin"), NONE("none");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }

        /**
         * The source of a document that came from {@code uri} ({@code VerifiedDocument.source()}): a
         * {@code magnet:} link is the overlay, the fallback proxy's authority the proxy, any other
         * URL the origin; null is none.
         */
        static Source of(String uri, String proxyAuthority) {
            if (uri == null) {
                return NONE;
            }
            URI u = URI.create(uri);
            if ("magnet".equals(u.getScheme())) {
                return OVERLAY;
            }
            return requireNonNull(proxyAuthority, "proxyAuthority").equals(u.getRawAuthority()) ? PROXY : ORIGIN;
        }
    }

    /** Viewers by where their peer's copy came from. */
    record Shares(Map<Source, Long> viewers) {
        Shares {
            viewers = Map.copyOf(viewers);
        }

        long of(Source s) {
            return viewers.getOrDefault(s, 0L);
        }

        long total() {
            return viewers.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The share of all viewers served from the overlay, 0 to 1 (0 without viewers). */
        double overlayShare() {
            long t = total();
            return t == 0 ? 0 : of(Source.OVERLAY) / (double) t;
        }

        String describe() {
            long t = total();
            StringBuilder b = new StringBuilder();
            for (Source s : Source.values()) {
                if (s == Source.NONE && of(s) == 0) {
                    continue;
                }
                b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f %% %s",
                        t == 0 ? 0.0 : 100.0 * of(s) / t, s.label()));
            }
            return b + String.format(Locale.ROOT, " (of %,d)", t);
        }
    }

    /**
     * Viewers by the source of one document per peer, each viewer counted once per document in
     * {@code documents} (every viewer is served each of them from its peer's copy).
     */
    static Shares viewers(List<PeerSample> peers, List<Function<PeerSample, Source>> documents) {
        Map<Source, Long> m = new EnumMap<>(Source.class);
        for (PeerSample p : peers) {
            for (Function<PeerSample, Source> d : documents) {
                m.merge(d.apply(p), p.viewers(), Long::sum);
            }
        }
        return new Shares(m);
    }

    /** {@code viewers} split over {@code peers}, the first ones taking one more when it does not divide evenly. */
    static List<Long> split(long viewers, int peers) {
        if (viewers < 0 || peers < 1) {
            throw new IllegalArgumentException("viewers, peers: " + viewers + ", " + peers + " (expected: >= 0, >= 1)");
        }
        List<Long> out = new ArrayList<>(peers);
        for (int i = 0; i < peers; i++) {
            out.add(viewers / peers + (i < viewers % peers ? 1 : 0));
        }
        return out;
    }

    /**
     * The time by which {@code percent} % of all peers held the change (nearest rank over every
     * peer, a peer that never did counting as later than any time), or -1 when that many never did.
     *
     * @param millis each peer's time, -1 for one that never held it
     */
    static long reach(List<Long> millis, double percent) {
        if (millis.isEmpty() || !(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("millis, percent: " + millis.size() + " peers, " + percent
                    + " (expected: at least one peer, 0 < percent <= 100)");
        }
        long[] sorted = millis.stream().mapToLong(m -> m < 0 ? Long.MAX_VALUE : m).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        long v = sorted[Math.max(rank, 1) - 1];
        return v == Long.MAX_VALUE ? -1 : v;
    }

    /** {@link #reach} at 50, 90 and 99 %, in seconds ({@code never} for a share that never held it). */
    static String reachLine(List<Long> millis) {
        StringBuilder b = new StringBuilder();
        for (double p : new double[] {50, 90, 99}) {
            long v = reach(millis, p);
            b.append(b.isEmpty() ? "" : " / ").append(v < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", v / 1000.0));
        }
        return b.toString();
    }
}
