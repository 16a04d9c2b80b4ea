package org.rproxy.overlay;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay against hostile peers on real DHT nodes: each check runs as
 * {@link OverlayNamespaceTest}'s do, in a child JVM in a network namespace of its own
 * ({@link OverlayNamespaceTest#inNamespace}, which also bounds how many run at once).
 */
@DisabledIfSystemProperty(named = "rproxy.overlay-it", matches = "false",
        disabledReason = "left out with -Drproxy.overlay-it=false")
class HostilePeerNamespaceTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aGetAnsweredWithAnItemNoSignatureCheckCanReadEndsAndTakesNothing(@TempDir Path dir) throws Exception {
        OverlayNamespaceTest.inNamespace("unreadableItemsEndTheLookup", dir);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aNodeListedUnderAMadeUpIdIsStillHeardUnderItsOwn(@TempDir Path dir) throws Exception {
        OverlayNamespaceTest.inNamespace("nodesListedUnderMadeUpIdsAreStillHeard", dir);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSeederNamedByMoreNodesIsHandedToBtBeforeOneNodesMadeUpPeers(@TempDir Path dir) throws Exception {
        OverlayNamespaceTest.inNamespace("aSeederNamedByMoreNodesComesBeforeOneNodesMadeUpPeers", dir);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void malformedKrpcMessagesAreDroppedAndTheNodeGoesOn(@TempDir Path dir) throws Exception {
        OverlayNamespaceTest.inNamespace("malformedMessagesAreDroppedAndTheNodeGoesOn", dir);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void madeUpNodeIdsFromOneHostDoNotPushHonestNodesOutOfTheRoutingTable(@TempDir Path dir) throws Exception {
        OverlayNamespaceTest.inNamespace("madeUpIdsFromOneHostDoNotPushHonestNodesOut", dir);
    }
}
