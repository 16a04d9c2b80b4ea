package org.rproxy.harness.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import org.rproxy.app.Main;
import org.rproxy.client.AltoClient;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.harness.HarnessMain;
import org.rproxy.origin.Origin;
import org.rproxy.overlay.OverlayPublisher;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.PushProxy;

/**
 * The product's compiled classes — every module's main code, found on the harness's class path —
 * obey the rules of {@code ARCHITECTURE.md} §7.
 */
class ArchitectureTest {

    private static JavaClasses product;

    @BeforeAll
    static void importTheProduct() {
        // One class per module tells where that module's classes are (a folder, or a jar under
        // `mvn verify`); importing those locations alone is much faster than scanning the class path.
        List<URL> modules = Stream.of(NetworkMap.class, Origin.class, PullProxy.class, PushProxy.class, AltoClient.class,
                        OverlayPublisher.class, Main.class,
                        HarnessMain.class)
                .map(c -> c.getProtectionDomain().getCodeSource().getLocation())
                .distinct()
                .toList();
        product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importUrls(modules);
    }

    @Test
    void everyModuleIsImported() {
        // Rules over an empty import would pass vacuously.
        for (String pkg : List.of("org.rproxy.core.server", "org.rproxy.core.answer", "org.rproxy.origin",
                "org.rproxy.pull", "org.rproxy.push", "org.rproxy.client", "org.rproxy.overlay", "org.rproxy.app",
                "org.rproxy.harness")) {
            assertTrue(product.containPackage(pkg), pkg + " not imported");
        }
    }

    @Test
    void pullDependsOnNoOtherRole() {
        ArchitectureRules.PULL_IS_INDEPENDENT.check(product);
    }

    @Test
    void pushDependsOnNoOtherRole() {
        ArchitectureRules.PUSH_IS_INDEPENDENT.check(product);
    }

    @Test
    void theSigningFeedsDependOnNoOtherRole() {
        ArchitectureRules.ORIGIN_IS_INDEPENDENT.check(product);
    }

    @Test
    void theClientLibraryStandsOnCoreAlone() {
        ArchitectureRules.CLIENT_STANDS_ON_CORE.check(product);
    }

    @Test
    void theOverlayStandsOnCoreAndTheClient() {
        ArchitectureRules.OVERLAY_STANDS_ON_CORE_AND_CLIENT.check(product);
    }

    @Test
    void coreKnowsNoRole() {
        ArchitectureRules.CORE_KNOWS_NO_ROLE.check(product);
    }

    @Test
    void theModelKnowsNoCodecNoSignatureAndNoNetty() {
        ArchitectureRules.MODEL_IS_PLAIN.check(product);
    }

    @Test
    void timeAndRandomnessAreInjected() {
        ArchitectureRules.TIME_IS_INJECTED.check(product);
    }

    @Test
    void nettyIsOnlyInTheNetworkCode() {
        ArchitectureRules.NETTY_ONLY_IN_NETWORK_CODE.check(product);
    }
}
