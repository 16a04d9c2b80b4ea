package org.rproxy.harness.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import com.tngtech.archunit.lang.ArchRule;

/**
 * The module and package rules of {@code ARCHITECTURE.md} §7, as ArchUnit rules over the
 * compiled classes of every module. {@link ArchitectureTest} checks them against the product;
 * {@link ArchitectureRulesTest} shows each one catching a forbidden import.
 */
final class ArchitectureRules {

    static final String CORE = "org.rproxy.core..";
    static final String MODEL = "org.rproxy.core.model..";
    static final String ORIGIN = "org.rproxy.origin..";
    static final String PULL = "org.rproxy.pull..";
    static final String PUSH = "org.rproxy.push..";
    static final String CLIENT = "org.rproxy.client..";
    static final String OVERLAY = "org.rproxy.overlay..";
    static final String APP = "org.rproxy.app..";
    static final String HARNESS = "org.rproxy.harness..";

    /** §7.1: the two proxy feeds are independent of each other and of the signing feeds. */
    static final ArchRule PULL_IS_INDEPENDENT = noClasses().that().resideInAPackage(PULL)
            .should().dependOnClassesThat().resideInAnyPackage(PUSH, ORIGIN, CLIENT, OVERLAY, APP, HARNESS)
            .because("the pull feed stands on core alone (ARCHITECTURE.md §7.1)");

    static final ArchRule PUSH_IS_INDEPENDENT = noClasses().that().resideInAPackage(PUSH)
            .should().dependOnClassesThat().resideInAnyPackage(PULL, ORIGIN, CLIENT, OVERLAY, APP, HARNESS)
            .because("the push feed and publisher stand on core alone (ARCHITECTURE.md §7.1)");

    static final ArchRule ORIGIN_IS_INDEPENDENT = noClasses().that().resideInAPackage(ORIGIN)
            .should().dependOnClassesThat().resideInAnyPackage(PULL, PUSH, CLIENT, OVERLAY, APP, HARNESS)
            .because("the signing feeds stand on core alone (ARCHITECTURE.md §7.1)");

    /** §7.3: the client library is for app vendors: it stands on core alone. */
    static final ArchRule CLIENT_STANDS_ON_CORE = noClasses().that().resideInAPackage(CLIENT)
            .should().dependOnClassesThat().resideInAnyPackage(ORIGIN, PULL, PUSH, OVERLAY, APP, HARNESS)
            .because("rproxy-client depends on core only (ARCHITECTURE.md §7.3)");

    /** §7.3: the overlay stands on core and the client library (whose OverlaySource it implements). */
    static final ArchRule OVERLAY_STANDS_ON_CORE_AND_CLIENT = noClasses().that().resideInAPackage(OVERLAY)
            .should().dependOnClassesThat().resideInAnyPackage(ORIGIN, PULL, PUSH, APP, HARNESS)
            .because("rproxy-overlay depends on core and the client only (ARCHITECTURE.md §7.3)");

    /** §7.2: core is what every role shares, so it knows none of them. */
    static final ArchRule CORE_KNOWS_NO_ROLE = noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(ORIGIN, PULL, PUSH, CLIENT, OVERLAY, APP, HARNESS)
            .because("core imports no feed, no client and no app (ARCHITECTURE.md §7.2)");

    /** §7.4: the model is plain values; encodings, signatures and I/O are built on it. */
    static final ArchRule MODEL_IS_PLAIN = noClasses().that().resideInAPackage(MODEL)
            .should().dependOnClassesThat().resideInAnyPackage("org.rproxy.core.codec..",
                    "org.rproxy.core.sign..", "org.rproxy.core.server..", "org.rproxy.core.store..",
                    "com.fasterxml..", "io.netty..")
            .because("the model knows no codec, no signature and no Netty (ARCHITECTURE.md §7.4)");

    /** §7.5: Netty stays in the network code. */
    static final ArchRule NETTY_ONLY_IN_NETWORK_CODE = noClasses().that().resideInAPackage("org.rproxy..")
            .and().resideOutsideOfPackages("org.rproxy.core.server..", "org.rproxy.core.tls..",
                    "org.rproxy.core.upstream..", PULL, PUSH, APP, HARNESS)
            .should().dependOnClassesThat().resideInAPackage("io.netty..")
            .because("Netty is the front end's, TLS's and the feeds' network code (ARCHITECTURE.md §7.5)");

    /**
     * §7.6: time and chance are injected. Components take a {@code Clock} (or a nanosecond
     * source, or a jitter source) so tests can move them; only the command line and the harness
     * reach for the machine's own.
     */
    static final ArchRule TIME_IS_INJECTED = noClasses().that().resideInAPackage("org.rproxy..")
            .and().resideOutsideOfPackages(APP, HARNESS)
            .should().callMethod(Instant.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callConstructor(Random.class)
            .because("time and randomness are injected (ARCHITECTURE.md §7.6)");

    static List<ArchRule> all() {
        return List.of(PULL_IS_INDEPENDENT, PUSH_IS_INDEPENDENT, ORIGIN_IS_INDEPENDENT, CLIENT_STANDS_ON_CORE,
                OVERLAY_STANDS_ON_CORE_AND_CLIENT, CORE_KNOWS_NO_ROLE, MODEL_IS_PLAIN,
                NETTY_ONLY_IN_NETWORK_CODE, TIME_IS_INJECTED);
    }

    private ArchitectureRules() {
    }
}
