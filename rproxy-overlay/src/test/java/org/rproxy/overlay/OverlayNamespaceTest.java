package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
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
 * leaves them out. Each takes 5 to 30 s (the clock step back's about 40 s: it waits out a
 * signature's expiry and a store's backoff). They run three at a time (each in its own namespace,
 * so they cannot clash; this module's {@code junit.parameters.module}, and {@link #AT_ONCE}
 * should JUnit ever start more); the class itself runs in turn with the module's others.
 */
@DisabledIfSystemProperty(named = "rproxy.overlay-it", matches = "false",
        disabledReason = "left out with -Drproxy.overlay-it=false")
class OverlayNamespaceTest {
    /**
     * The checks' child JVMs running at once: three, on a two-core machine, leaves each check's
     * DHT round trips and timers room even while the rest of a build runs (four at once did not);
     * they mostly wait.
     */
    private static final Semaphore AT_ONCE = new Semaphore(3);

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aTorrentNamedOutsideItsFolderIsRefusedAndNoLocalFileRead(@TempDir Path dir) throws Exception {
        inNamespace("torrentNamedWithDotDot", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aTorrentNamedDevZeroIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        inNamespace("torrentNamedDevZero", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aPointerForAnotherResourceDoesNotPoisonTheGenuineBundle(@TempDir Path dir) throws Exception {
        inNamespace("pointerForAnotherResource", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBundleOfAKeyNotYetLearntIsTakenOnceTheKeyIs(@TempDir Path dir) throws Exception {
        inNamespace("keyLearntLater", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void torrentFoldersOfAPreviousRunAreDeletedAtStart(@TempDir Path dir) throws Exception {
        inNamespace("foldersOfAPreviousRun", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aCopyRelabelledOrTamperedWithIsPublishedAsItsSignatureSaysOrNotAtAll(@TempDir Path dir) throws Exception {
        inNamespace("offeredCopiesAreVerified", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anExpiredDocumentIsNoLongerPublishedNorSeeded(@TempDir Path dir) throws Exception {
        inNamespace("expiredDocument", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRetiredDocumentIsNoLongerPublishedNorSeeded(@TempDir Path dir) throws Exception {
        inNamespace("retiredDocument", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aDhtNodeStoresForOneNetworkNoMoreThanItsQuota(@TempDir Path dir) throws Exception {
        inNamespace("storageBounded", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRestartedNodeNeverSendsALookupToItsOwnAddress(@TempDir Path dir) throws Exception {
        inNamespace("restartedNodeAsksNotItself", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aTorrentFetchedAgainIsServedByItsNewWorkerAlone(@TempDir Path dir) throws Exception {
        inNamespace("torrentFetchedAgainHasOneWorker", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void torrentsDroppedLeaveNothingInBtsMessageDispatcher(@TempDir Path dir) throws Exception {
        inNamespace("droppedTorrentsLeaveNothingInTheDispatcher", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anItemStoredOnTheAskingNodeAloneIsFoundByItsGet(@TempDir Path dir) throws Exception {
        inNamespace("itemStoredOnTheAskingNodeAloneIsFound", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void bundlesFetchedAtOnceTakeNoBlockOfAnother(@TempDir Path dir) throws Exception {
        inNamespace("bundlesFetchedAtOnceTakeNoBlockOfAnother", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fetchesWaitingForTheirTurnEndWhenTheSwarmCloses(@TempDir Path dir) throws Exception {
        inNamespace("fetchesWaitingForTheirTurnEndAtClose", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBlockFiledForATorrentThatStoppedIsNotTakenByTheNextAndLetGo(@TempDir Path dir) throws Exception {
        inNamespace("staleBlocksAreNotTakenAndLetGo", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aTorrentDroppedIsNoLongerServedOnceTheDropCompletes(@TempDir Path dir) throws Exception {
        inNamespace("droppedTorrentIsNotServedOnceTheDropCompletes", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aListedPublisherCannotMakeANewClientTakeAnOlderVersion(@TempDir Path dir) throws Exception {
        inNamespace("olderBundleUnderANewerSeq", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aVersionSignedAfterTheOriginsClockSteppedBackIsSaidOnceAndClientsPullMeanwhile(@TempDir Path dir) throws Exception {
        inNamespace("clockSteppedBack", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aPointerToATorrentNobodyAnnouncedIsGivenUpBeforeTheBudgetRunsOut(@TempDir Path dir) throws Exception {
        inNamespace("unseededPointerIsGivenUpEarly", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anAnnouncementHeldByTheReadersOwnNodeAloneIsFound(@TempDir Path dir) throws Exception {
        inNamespace("announcementStoredOnTheReaderAloneIsFound", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aPointerToABundleItsOnlySeederDroppedIsGivenUpBeforeTheBudgetRunsOut(@TempDir Path dir) throws Exception {
        inNamespace("droppedBundleIsGivenUpEarly", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void clientPeersConnectedToEachOtherWithNoPieceGiveUpBeforeTheBudgetRunsOut(@TempDir Path dir) throws Exception {
        inNamespace("peersWithNoPieceAreGivenUpEarly", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aClientNotJoinedToTheDhtSaysSoWithinTheJoinWait(@TempDir Path dir) throws Exception {
        inNamespace("notJoinedIsSaid", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aResourceNoPublisherPointsToNamesThePublishersAsked(@TempDir Path dir) throws Exception {
        inNamespace("noPointerIsSaid", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aPointerPutBeforeAnyPeerIsFoundWithinTheBackoffsCapOnceOneJoins(@TempDir Path dir) throws Exception {
        inNamespace("pointerPutBeforeAnyPeerIsFoundOnceOneJoins", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aPointerFoundOnceAPeerJoinsAPublisherStartedAloneNamesATorrentWhoseSeederIsFound(@TempDir Path dir)
            throws Exception {
        inNamespace("seederFoundWithThePointerOncePeersJoin", dir);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aDhtSocketThatCannotBeOpenedFailsTheStart(@TempDir Path dir) throws Exception {
        inNamespace("socketNotOpenedFailsTheStart", dir);
    }

    /** Runs {@code NamespaceChecks.<check>(dir)} in a child JVM in a new network namespace; fails with its output unless it passed. */
    static void inNamespace(String check, Path dir) throws Exception {
        String why = unavailable();
        assumeTrue(why == null, () -> "skipped: cannot create a network namespace here (" + why + ")");
        AT_ONCE.acquire();
        try {
            runChild(check, dir);
        } finally {
            AT_ONCE.release();
        }
    }

    private static void runChild(String check, Path dir) throws Exception {
        StringBuilder addrs = new StringBuilder();
        for (int host = 1; host <= 4; host++) {
            addrs.append(' ').append(NamespaceChecks.ip(host));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "set -e; ip link set lo up; for a in" + addrs + "; do ip addr add $a/32 dev lo; done; exec "
                + java + " -Xmx512m" + logback() + " -cp \"$CP\" " + NamespaceChecks.class.getName() + " " + check + " \"$DIR\"";
        ProcessBuilder pb = new ProcessBuilder("unshare", "-n", "sh", "-c", script).redirectErrorStream(true);
        pb.environment().put("CP", System.getProperty("java.class.path"));
        pb.environment().put("DIR", dir.toString());
        long start = System.nanoTime();
        Process child = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (var in = child.inputReader(StandardCharsets.UTF_8)) {
                in.lines().forEach(l -> {
                    synchronized (out) {
                        if (out.length() < (1 << 20)) {
                            out.append(l).append('\n');
                        }
                    }
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                // the child ended
            }
        }, "overlay-check-output");
        reader.start();
        boolean ended = child.waitFor(240, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        String log;
        synchronized (out) {
            log = out.toString();
        }
        // one print per check, so that two checks' lines do not interleave
        System.out.println(check + " (" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + " s):\n"
                + log.lines().filter(l -> l.startsWith("check ")).reduce("", (a, b) -> a + b + "\n"));
        assertTrue(ended, check + " did not end within 240 s:\n" + tail(log));
        assertEquals(0, child.exitValue(), check + " failed:\n" + tail(log));
        assertTrue(log.contains("CHECK-OK " + check), tail(log));
    }

    /** A {@code -Dlogback.configurationFile} given to this JVM (for a closer look), passed on to the child. */
    private static String logback() {
        String file = System.getProperty("logback.configurationFile");
        return file != null && file.matches("[A-Za-z0-9._/-]+") ? " -Dlogback.configurationFile=" + file : "";
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
