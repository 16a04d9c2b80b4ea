package org.rproxy.harness.architecture;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Each rule of {@link ArchitectureRules} fails on a class that breaks it: the fixtures in the
 * {@code archfixture} packages (test classes, so {@link ArchitectureTest} never sees them) make
 * exactly the imports the rules forbid.
 */
class ArchitectureRulesTest {

    private static final JavaClasses PULL_INTO_PUSH = classes("org.rproxy.pull.archfixture.PullImportingPush");
    private static final JavaClasses PUSH_INTO_PULL = classes("org.rproxy.push.archfixture.PushImportingPull");
    private static final JavaClasses MODEL_INTO_NETTY =
            classes("org.rproxy.core.model.archfixture.ModelImportingNettyAndPull");
    private static final JavaClasses ORIGIN_INTO_PULL = classes("org.rproxy.origin.archfixture.OriginImportingPull");
    private static final JavaClasses CLIENT_INTO_ORIGIN = classes("org.rproxy.client.archfixture.ClientImportingOrigin");
    private static final JavaClasses OVERLAY_INTO_PUSH = classes("org.rproxy.overlay.archfixture.OverlayImportingPush");

    @Test
    void pullImportingPushIsCaught() {
        assertCaught(ArchitectureRules.PULL_IS_INDEPENDENT, PULL_INTO_PUSH, "org.rproxy.push.PushProxy");
    }

    @Test
    void pushImportingPullIsCaught() {
        assertCaught(ArchitectureRules.PUSH_IS_INDEPENDENT, PUSH_INTO_PULL, "org.rproxy.pull.PullProxy");
    }

    @Test
    void originImportingAProxyFeedIsCaught() {
        assertCaught(ArchitectureRules.ORIGIN_IS_INDEPENDENT, ORIGIN_INTO_PULL, "org.rproxy.pull.PullProxy");
    }

    @Test
    void clientImportingAServerRoleIsCaught() {
        assertCaught(ArchitectureRules.CLIENT_STANDS_ON_CORE, CLIENT_INTO_ORIGIN, "org.rproxy.origin.Origin");
    }

    @Test
    void overlayImportingAProxyFeedIsCaught() {
        assertCaught(ArchitectureRules.OVERLAY_STANDS_ON_CORE_AND_CLIENT, OVERLAY_INTO_PUSH, "org.rproxy.push.PushProxy");
    }

    @Test
    void coreImportingAFeedIsCaught() {
        assertCaught(ArchitectureRules.CORE_KNOWS_NO_ROLE, MODEL_INTO_NETTY, "org.rproxy.pull.PullProxy");
    }

    @Test
    void aModelClassUsingNettyOrACodecIsCaught() {
        assertCaught(ArchitectureRules.MODEL_IS_PLAIN, MODEL_INTO_NETTY, "io.netty.buffer.ByteBuf");
        assertCaught(ArchitectureRules.MODEL_IS_PLAIN, MODEL_INTO_NETTY, "org.rproxy.core.codec.Jcs");
    }

    @Test
    void nettyOutsideTheNetworkCodeIsCaught() {
        assertCaught(ArchitectureRules.NETTY_ONLY_IN_NETWORK_CODE, MODEL_INTO_NETTY, "io.netty.buffer.ByteBuf");
    }

    @Test
    void readingTheClockOrMakingARandomIsCaught() {
        assertCaught(ArchitectureRules.TIME_IS_INJECTED, PULL_INTO_PUSH, "Instant.now()");
        assertCaught(ArchitectureRules.TIME_IS_INJECTED, PULL_INTO_PUSH, "Random.<init>()");
    }

    @Test
    void theFixturesBreakOnlyTheRulesTheyAreFor() {
        // A pull class importing push is not a model or core violation: the rules are about
        // their own packages, not a blanket ban.
        ArchitectureRules.MODEL_IS_PLAIN.allowEmptyShould(true).check(PULL_INTO_PUSH);
        ArchitectureRules.CORE_KNOWS_NO_ROLE.allowEmptyShould(true).check(PULL_INTO_PUSH);
        // and the client's and overlay's rules do not reach past their own packages either
        ArchitectureRules.CLIENT_STANDS_ON_CORE.allowEmptyShould(true).check(ORIGIN_INTO_PULL);
        ArchitectureRules.OVERLAY_STANDS_ON_CORE_AND_CLIENT.allowEmptyShould(true).check(CLIENT_INTO_ORIGIN);
    }

    private static void assertCaught(ArchRule rule, JavaClasses classes, String forbidden) {
        AssertionError e = assertThrows(AssertionError.class, () -> rule.check(classes));
        assertTrue(e.getMessage().contains(forbidden), e.getMessage());
    }

    private static JavaClasses classes(String name) {
        try {
            return new ClassFileImporter().importClasses(Class.forName(name));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(name, e);
        }
    }
}
