package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.rproxy.core.config.RefreshConfig;
import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.load.Population;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.topology.TopologySpec;

/**
 * An upstream that corrupts what it passes on: the relay flips one byte in the body of every
 * signed response. Directly, every viewer must catch it (one verification failure per viewer, at
 * its first document, and no viewer joins). Through a pull proxy, the proxy must refuse to store
 * what does not verify, so viewers see errors but never a tampered byte (no verification
 * failures); once the upstream is honest again, the same proxy serves everyone.
 *
 * <p>The proxy starts while the upstream is honest: it is ready (as a load balancer would wait
 * for) only once it holds verified maps, which a tampering upstream never lets it have. The relay
 * tampers from just before the second crowd; the proxy meets tampered answers when it refreshes
 * its copies (every {@code max-age}) and when viewers ask for what it does not hold yet (the XML
 * renderings), and keeps serving the valid copies it holds. What it never held and was refused it
 * answers with that failure for its retry pause, at most {@code refresh.retry} (5 s), without
 * asking again; the healed crowd comes after that.
 */
final class Tamper implements Scenario {
    static final long DEFAULT_VIEWERS = 2_000;

    @Override
    public String name() {
        return "tamper";
    }

    @Override
    public String summary() {
        return "an upstream flips a byte of every signed body: viewers reject it directly, a pull proxy never passes it on";
    }

    @Override
    public Set<ScenarioOption> options() {
        return ScenarioOption.CROWD;
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        long viewers = ctx.viewers(DEFAULT_VIEWERS);
        Duration window = ctx.window(Duration.ofSeconds(5));
        Path maps = ctx.lab.topology(TopologySpec.of(50, 4, ctx.options.seed()));
        Duration maxAge = ctx.maxAge(Duration.ofSeconds(60));
        CountingRelay relay = ctx.lab.startOrigin(maps, Duration.ofHours(1), maxAge);
        Population.Mix mix = new Population.Mix(0.0, 0.5, 0.0, 0.0, 8);
        List<Check> checks = ctx.checks();

        relay.mode(CountingRelay.Mode.TAMPER);
        RunReport direct = ctx.run("tamper-direct", crowd(ctx, relay.baseUri(), maps, viewers, window, mix), relay);
        checks.add(Check.of("direct: tampered responses rejected by viewers", fmt(viewers),
                fmt(direct.verification().failures()), direct.verification().failures() == viewers));
        checks.add(Check.of("direct: viewers that accepted tampered data", "0", fmt(direct.viewers().joined()),
                direct.viewers().joined() == 0));
        checks.add(Check.info("direct: failures by outcome", direct.verification().failuresByOutcome().toString()));

        if (!ctx.lab.pullAvailable()) {
            checks.add(Check.notRun("through a pull proxy", "no pull proxy in this build"));
            return checks;
        }
        relay.mode(CountingRelay.Mode.PASS);
        String proxy = ctx.lab.startProxy("edge-1", relay.baseUri()).baseUri();
        relay.mode(CountingRelay.Mode.TAMPER);
        ctx.out.println("tamper: the relay tampers again, now under proxy edge-1");
        long tamperedBefore = relay.tampered();
        RunReport through = ctx.run("tamper-through-proxy", crowd(ctx, proxy, maps, viewers, window, mix), relay);
        checks.add(Check.of("proxy: tampered bytes that reached viewers", "0", fmt(through.verification().failures()),
                through.verification().failures() == 0));
        // the crowd may have asked only for what the proxy holds; its next refresh goes upstream
        boolean offered = Poll.until(() -> relay.tampered() > tamperedBefore, Duration.ofMillis(100),
                maxAge.plusSeconds(30));
        checks.add(Check.of("proxy: tampered upstream answers it was offered", "> 0", fmt(relay.tampered() - tamperedBefore),
                offered));
        checks.add(Check.info("proxy: viewer requests refused (no valid copy to serve)", fmt(through.errorCount())));

        relay.mode(CountingRelay.Mode.PASS);
        // a document the proxy never held and was refused (a tampered answer) is answered that
        // failure, without asking the upstream again, for up to refresh.retry (a retry storm
        // otherwise): the healed crowd comes once that has passed, as the operator's guide says
        Duration retry = RefreshConfig.defaults().retry();
        ctx.out.println("tamper: the relay is honest again; the proxy asks again for what it refused within refresh.retry ("
                + retry.toSeconds() + " s)");
        Thread.sleep(retry.toMillis());
        RunReport healed = ctx.run("tamper-healed", crowd(ctx, proxy, maps, viewers, window, mix), relay);
        checks.add(Check.of("healed: viewers joined through the same proxy", fmt(viewers), fmt(healed.viewers().joined()),
                healed.viewers().joined() == viewers && healed.verification().failures() == 0));
        return checks;
    }

    private static ScenarioContext.Crowd crowd(ScenarioContext ctx, String target, Path maps, long viewers, Duration window,
                                               Population.Mix mix) {
        return ctx.crowd(List.of(target), maps, viewers, ArrivalSchedule.flash(window)).with(mix).drain(Duration.ofSeconds(60));
    }
}
