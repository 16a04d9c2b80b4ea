package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The overlay's checks that need real DHT nodes and swarms ({@link NamespaceChecks}): each runs
 * in a child JVM inside a network namespace this test creates ({@code unshare -n}, as the
 * harness's {@code OverlayNamespaceIT} does), because mldht refuses loopback and private
 * addresses: the nodes use 100.64.0.1-4 on the namespace's own {@code lo}, so nothing can leave
 * it. Skipped, saying why, where no namespace can be made; {@code -Drproxy.overlay-it=false}
 * leaves them out. Each takes a few seconds to half a minute (the cold start's and the clock
 * step back's about 40 s: they wait out stores no node took, a signature's expiry, a backoff).
 * {@link CheckWorkers} runs them four at a time, one after another in each of its child JVMs
 * (each in its own namespace, so they cannot clash), the slowest first; every method waits for
 * its turn at once (this module's {@code junit.parameters.module}), so its timeout covers the
 * wait; the check's own run is bounded by {@link CheckWorkers#RUN_SECONDS}. The class itself runs
 * in turn with the module's others.
 */
@DisabledIfSystemProperty(named = "rproxy.overlay-it", matches = "false",
        disabledReason = "left out with -Drproxy.overlay-it=false")
class OverlayNamespaceTest {
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aTorrentNamedOutsideItsFolderIsRefusedAndNoLocalFileRead(@TempDir Path dir) throws Exception {
        inNamespace("torrentNamedWithDotDot", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aTorrentNamedDevZeroIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        inNamespace("torrentNamedDevZero", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPointerForAnotherResourceDoesNotPoisonTheGenuineBundle(@TempDir Path dir) throws Exception {
        inNamespace("pointerForAnotherResource", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aBundleOfAKeyNotYetLearntIsTakenOnceTheKeyIs(@TempDir Path dir) throws Exception {
        inNamespace("keyLearntLater", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void torrentFoldersOfAPreviousRunAreDeletedAtStart(@TempDir Path dir) throws Exception {
        inNamespace("foldersOfAPreviousRun", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aCopyRelabelledOrTamperedWithIsPublishedAsItsSignatureSaysOrNotAtAll(@TempDir Path dir) throws Exception {
        inNamespace("offeredCopiesAreVerified", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void anExpiredDocumentIsNoLongerPublishedNorSeeded(@TempDir Path dir) throws Exception {
        inNamespace("expiredDocument", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aRetiredDocumentIsNoLongerPublishedNorSeeded(@TempDir Path dir) throws Exception {
        inNamespace("retiredDocument", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aDhtNodeStoresForOneNetworkNoMoreThanItsQuota(@TempDir Path dir) throws Exception {
        inNamespace("storageBounded", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aRestartedNodeNeverSendsALookupToItsOwnAddress(@TempDir Path dir) throws Exception {
        inNamespace("restartedNodeAsksNotItself", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aTorrentFetchedAgainIsServedByItsNewWorkerAlone(@TempDir Path dir) throws Exception {
        inNamespace("torrentFetchedAgainHasOneWorker", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void torrentsDroppedLeaveNothingInBtsMessageDispatcher(@TempDir Path dir) throws Exception {
        inNamespace("droppedTorrentsLeaveNothingInTheDispatcher", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void anItemStoredOnTheAskingNodeAloneIsFoundByItsGet(@TempDir Path dir) throws Exception {
        inNamespace("itemStoredOnTheAskingNodeAloneIsFound", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void bundlesFetchedAtOnceTakeNoBlockOfAnother(@TempDir Path dir) throws Exception {
        inNamespace("bundlesFetchedAtOnceTakeNoBlockOfAnother", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void fetchesWaitingForTheirTurnEndWhenTheSwarmCloses(@TempDir Path dir) throws Exception {
        inNamespace("fetchesWaitingForTheirTurnEndAtClose", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void viewerPeersGivenPortsZeroTakeFreePortsAndServeEachOther(@TempDir Path dir) throws Exception {
        inNamespace("peersGivenPortsZeroTakeFreeOnes", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aDocumentSeededAfterThePeerClosedStartsNoThreadAgain(@TempDir Path dir) throws Exception {
        inNamespace("aDocumentSeededAfterTheCloseStartsNothing", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aBlockFiledForATorrentThatStoppedIsNotTakenByTheNextAndLetGo(@TempDir Path dir) throws Exception {
        inNamespace("staleBlocksAreNotTakenAndLetGo", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aTorrentDroppedIsNoLongerServedOnceTheDropCompletes(@TempDir Path dir) throws Exception {
        inNamespace("droppedTorrentIsNotServedOnceTheDropCompletes", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aListedPublisherCannotMakeANewClientTakeAnOlderVersion(@TempDir Path dir) throws Exception {
        inNamespace("olderBundleUnderANewerSeq", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aVersionSignedAfterTheOriginsClockSteppedBackIsSaidOnceAndClientsPullMeanwhile(@TempDir Path dir) throws Exception {
        inNamespace("clockSteppedBack", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPointerToATorrentNobodyAnnouncedIsGivenUpBeforeTheBudgetRunsOut(@TempDir Path dir) throws Exception {
        inNamespace("unseededPointerIsGivenUpEarly", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void anAnnouncementHeldByTheReadersOwnNodeAloneIsFound(@TempDir Path dir) throws Exception {
        inNamespace("announcementStoredOnTheReaderAloneIsFound", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPointerToABundleItsOnlySeederDroppedIsGivenUpBeforeTheBudgetRunsOut(@TempDir Path dir) throws Exception {
        inNamespace("droppedBundleIsGivenUpEarly", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void clientPeersConnectedToEachOtherWithNoPieceGiveUpBeforeTheBudgetRunsOut(@TempDir Path dir) throws Exception {
        inNamespace("peersWithNoPieceAreGivenUpEarly", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aClientNotJoinedToTheDhtSaysSoWithinTheJoinWait(@TempDir Path dir) throws Exception {
        inNamespace("notJoinedIsSaid", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aResourceNoPublisherPointsToNamesThePublishersAsked(@TempDir Path dir) throws Exception {
        inNamespace("noPointerIsSaid", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPointerPutBeforeAnyPeerIsFoundWithinTheBackoffsCapOnceOneJoins(@TempDir Path dir) throws Exception {
        inNamespace("pointerPutBeforeAnyPeerIsFoundOnceOneJoins", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void peersStopWithoutBtLoggingAnError(@TempDir Path dir) throws Exception {
        inNamespace("peersStopWithoutAnErrorOfBt", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aBootstrapNodeWhoseOwnBootstrapIsDownIsJoinedOnceAPeerJoinsThroughIt(@TempDir Path dir) throws Exception {
        inNamespace("aBootstrapNodeOthersReachCountsAsJoined", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aContactThatNeverAnswersIsAskedBackAFewTimesNotForAsLongAsTheNodeIsUnjoined(@TempDir Path dir) throws Exception {
        inNamespace("aContactThatNeverAnswersIsAskedBackAFewTimes", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void forgedContactsCrowdNoHonestContactOutOfTheJoin(@TempDir Path dir) throws Exception {
        inNamespace("forgedContactsCrowdNoHonestOneOutOfTheJoin", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aContactForgedAtAPeersAddressKeepsItNotOut(@TempDir Path dir) throws Exception {
        inNamespace("aContactForgedAtAPeersAddressKeepsItNotOut", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPointerFoundOnceAPeerJoinsAPublisherStartedAloneNamesATorrentWhoseSeederIsFound(@TempDir Path dir)
            throws Exception {
        inNamespace("seederFoundWithThePointerOncePeersJoin", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aDhtSocketThatCannotBeOpenedFailsTheStart(@TempDir Path dir) throws Exception {
        inNamespace("socketNotOpenedFailsTheStart", dir);
    }

    // ---- the overlay against hostile peers: DHT nodes that answer with what mldht cannot read,
    // list nodes under made-up ids, name made-up peers, send malformed messages, flood a table

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aGetAnsweredWithAnItemNoSignatureCheckCanReadEndsAndTakesNothing(@TempDir Path dir) throws Exception {
        inNamespace("unreadableItemsEndTheLookup", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPeerWhoseOriginStaysAwayLearnsTheOriginsNextKeyFromTheOverlay(@TempDir Path dir) throws Exception {
        inNamespace("peerWhoseOriginStaysAwayLearnsTheNextKeyFromTheOverlay", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aNodeThatAnswersOnlyAfterItsRequestsStalledIsStillHeard(@TempDir Path dir) throws Exception {
        inNamespace("aNodeThatAnswersLateIsStillHeard", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aViewerWhoseOverlayHasNoCopyIsNotHeldByANodeThatIsGone(@TempDir Path dir) throws Exception {
        inNamespace("overlayWithNoCopyIsNotHeldByAGoneNode", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aNodeListedUnderAMadeUpIdIsStillHeardUnderItsOwn(@TempDir Path dir) throws Exception {
        inNamespace("nodesListedUnderMadeUpIdsAreStillHeard", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aSeederNamedByMoreNodesIsHandedToBtBeforeOneNodesMadeUpPeers(@TempDir Path dir) throws Exception {
        inNamespace("aSeederNamedByMoreNodesComesBeforeOneNodesMadeUpPeers", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void malformedKrpcMessagesAreDroppedAndTheNodeGoesOn(@TempDir Path dir) throws Exception {
        inNamespace("malformedMessagesAreDroppedAndTheNodeGoesOn", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void madeUpNodeIdsFromOneHostDoNotPushHonestNodesOutOfTheRoutingTable(@TempDir Path dir) throws Exception {
        inNamespace("madeUpIdsFromOneHostDoNotPushHonestNodesOut", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aNodeWhoseAddressIsListedWithAWrongPortIsStillAskedWhereItIs(@TempDir Path dir) throws Exception {
        inNamespace("anAddressListedWithAWrongPortIsStillAskedWhereTheNodeIs", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPutNodesAcknowledgeAndDoNotKeepIsNotCountedAndGoesToTheNextNodes(@TempDir Path dir) throws Exception {
        inNamespace("aPutAcknowledgedAndNotKeptIsNotCountedAndGoesFurther", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPutTheClosestNodesRefuseOrDropGoesToTheNextNodes(@TempDir Path dir) throws Exception {
        inNamespace("aPutRefusedOrUnansweredGoesFurther", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void madeUpNodesOneAnswerListsAreGivenUpOnceAFewOfThemFailed(@TempDir Path dir) throws Exception {
        inNamespace("madeUpListingsOfOneNodeAreGivenUpAfterAFew", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aVersionAPeerGotFromAProxysStreamIsSeededByItAfterThePublisherLeft(@TempDir Path dir) throws Exception {
        inNamespace("streamedVersionSeededAfterThePublisherLeft", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aVersionAPeerHoldsAheadOfEveryPointerIsFoundFromItOnceAPointerNamesIt(@TempDir Path dir) throws Exception {
        inNamespace("aVersionAheadOfThePointersIsFoundOnceAPointerNamesIt", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void whatAPeerSeedsOfWhatItsClientHoldsEndsAtItsExpiry(@TempDir Path dir) throws Exception {
        inNamespace("heldVersionsEndAtTheirExpiry", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aBrandNewPeerWhoseOriginIsAwayBootstrapsFromTheDirectoryInTheOverlay(@TempDir Path dir) throws Exception {
        inNamespace("brandNewPeerBootstrapsFromTheOverlay", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aSignatureAHopAddsBesideTheOriginsKeepsNoVersionOutOfTheOverlay(@TempDir Path dir) throws Exception {
        inNamespace("signatureAddedOnTheWayDeniesNothing", dir);
    }

    /**
     * Runs {@code NamespaceChecks.<check>(dir)} in one of {@link CheckWorkers}' child JVMs, each in
     * a network namespace of its own; fails with its output unless it passed.
     */
    static void inNamespace(String check, Path dir) throws Exception {
        String why = unavailable();
        assumeTrue(why == null, () -> "skipped: cannot create a network namespace here (" + why + ")");
        CheckWorkers.Outcome run = CheckWorkers.run(check, dir);
        // one print per check, so that two checks' lines do not interleave
        System.out.println(run.summary());
        assertTrue(run.ended(), check + " did not end within " + CheckWorkers.RUN_SECONDS + " s:\n" + tail(run.output()));
        assertTrue(run.passed(), check + " failed:\n" + tail(run.output()));
    }

    /** Null when {@code unshare -n} and {@code ip} work here, else why not. */
    static String unavailable() {
        try {
            Process p = new ProcessBuilder("unshare", "-n", "ip", "link", "set", "lo", "up").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unshare -n did not end within 10 s";
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? null : "unshare -n ip link set lo up: exit " + p.exitValue() + " " + said;
        } catch (IOException e) {
            return "unshare or ip not runnable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String tail(String log) {
        return log.length() <= 20_000 ? log : log.substring(log.length() - 20_000);
    }
}
