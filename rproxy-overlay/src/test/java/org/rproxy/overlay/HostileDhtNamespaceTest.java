package org.rproxy.overlay;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay against DHT nodes that lie about other nodes and about what they store, on real
 * DHT nodes: each check runs as {@link OverlayNamespaceTest}'s do, in a child JVM in a network
 * namespace of its own ({@link OverlayNamespaceTest#inNamespace}, which also bounds how many run
 * at once).
 */
@DisabledIfSystemProperty(named = "rproxy.overlay-it", matches = "false",
        disabledReason = "left out with -Drproxy.overlay-it=false")
class HostileDhtNamespaceTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aNodeWhoseAddressIsListedWithAWrongPortIsStillAskedWhereItIs(@TempDir Path dir) throws Exception {
        OverlayNamespaceTest.inNamespace("anAddressListedWithAWrongPortIsStillAskedWhereTheNodeIs", dir);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aPutNodesAcknowledgeAndDoNotKeepIsNotCountedAndGoesToTheNextNodes(@TempDir Path dir) throws Exception {
        OverlayNamespaceTest.inNamespace("aPutAcknowledgedAndNotKeptIsNotCountedAndGoesFurther", dir);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void madeUpNodesOneAnswerListsAreGivenUpOnceAFewOfThemFailed(@TempDir Path dir) throws Exception {
        OverlayNamespaceTest.inNamespace("madeUpListingsOfOneNodeAreGivenUpAfterAFew", dir);
    }
}
