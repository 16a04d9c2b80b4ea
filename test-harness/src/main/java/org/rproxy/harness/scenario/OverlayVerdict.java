package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.rproxy.harness.scenario.OverlayFigures.Shares;
import org.rproxy.harness.scenario.OverlayFigures.Source;

/**
 * The verdict lines of the {@code overlay} scenario from what its peers reported. A "viewer" is
 * a simulated consumer behind a peer, served that peer's copy of each map (no network of its
 * own): the share served from the overlay is the share of viewers whose peer's copy came
 * through the overlay. Pure functions.
 */
final class OverlayVerdict {
    /** The share of viewers that must be served from the overlay when it works. */
    static final double OVERLAY_FLOOR = 0.90;

    private OverlayVerdict() {
    }

    /**
     * @param bad    documents peers accepted that were not a genuine version, or older than one they held
     * @param counts origin and fallback proxy requests: setup, phase 1, phase 2
     */
    static List<Check> checks(OverlaySettings s, List<PeerSample> samples, PeerLines lines, long bad, boolean phase1,
                              String phase1Time, boolean changedAtOrigin, boolean phase2, List<OverlayRun.Counts> counts) {
        int n = samples.size();
        List<Check> out = new ArrayList<>();
        long both = samples.stream().filter(p -> p.firstMillis() >= 0).count();
        out.add(Check.of("[1] peers holding both maps, verified", n + " of " + n, both + " (phase 1 took " + phase1Time + ")",
                phase1 && both == n));
        out.add(Check.info("[1] time to hold both maps, per peer p50 / p90 / p99",
                OverlayFigures.reachLine(samples.stream().map(PeerSample::firstMillis).toList())
                        + " (from its own start in the " + s.window().toSeconds() + " s window)"));
        Shares first = OverlayFigures.viewers(samples, List.of(PeerSample::net, PeerSample::cost));
        out.add(Check.of("[1] viewers served from the overlay (network + cost map)", floor(), first.describe(),
                first.overlayShare() >= OVERLAY_FLOOR));
        out.add(Check.of("[2] the cost map changed at the origin", "within 30 s", changedAtOrigin ? "yes" : "no", changedAtOrigin));
        long changed = samples.stream().filter(p -> p.changed() != Source.NONE).count();
        out.add(Check.of("[2] peers holding the new cost map", n + " of " + n + " within " + OverlayRun.CHANGE_LIMIT.toSeconds()
                        + " s", changed + " (" + (n - changed) + " never)", phase2 && changed == n));
        out.add(Check.info("[2] change reached 50 / 90 / 99 % of peers (from the file write)",
                OverlayFigures.reachLine(samples.stream().map(PeerSample::changeMillis).toList()) + "; fetches every "
                        + OverlayRun.POLL.toSeconds() + " s, " + fmt(samples.stream().mapToLong(PeerSample::polls).sum())
                        + " in all"));
        Shares second = OverlayFigures.viewers(samples, List.of(PeerSample::changed));
        out.add(Check.of("[2] viewers served the new cost map from the overlay", floor(), second.describe(),
                second.overlayShare() >= OVERLAY_FLOOR));
        out.add(Check.of("poisoning: documents accepted not the origin's, or older than one held", "0", fmt(bad), bad == 0));
        out.add(Check.of("poisoning: tampered bundles offered and refused", "> 0 (the poisoner was met)",
                fmt(lines.tampered()) + " refused as invalid; " + fmt(lines.rollback()) + " older versions refused;"
                        + " " + fmt(lines.missedOffers()) + " offers not fetched (refused before, or not had in time)",
                lines.tampered() > 0));
        out.add(Check.info("origin requests (its relay)", String.format(Locale.ROOT,
                "setup %s (each peer's directory, the fallback proxy's start), phase 1 %s, phase 2 %s",
                fmt(counts.get(0).origin()), fmt(counts.get(1).origin()), fmt(counts.get(2).origin()))));
        out.add(Check.info("fallback proxy requests (its relay)", String.format(Locale.ROOT, "setup %s, phase 1 %s, phase 2 %s",
                fmt(counts.get(0).proxy()), fmt(counts.get(1).proxy()), fmt(counts.get(2).proxy()))));
        out.add(Check.info("fetches that found no source", fmt(lines.errors())));
        long current = samples.stream().filter(PeerSample::holdsCurrent).count();
        out.add(Check.of("every peer holds the origin's current maps at the end", n + " of " + n, Long.toString(current),
                current == n));
        return out;
    }

    private static String floor() {
        return String.format(Locale.ROOT, ">= %.0f %%", OVERLAY_FLOOR * 100);
    }
}
