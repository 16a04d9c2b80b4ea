package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import bt.Bt;
import bt.data.file.FileSystemStorage;
import bt.metainfo.MetadataService;
import bt.metainfo.Torrent;
import bt.runtime.BtRuntime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import lbms.plugins.mldht.kad.GenericStorage;

import org.rproxy.client.ClientException;
import org.rproxy.client.OverlayOnlySources;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.store.Representation;

/**
 * Checks of the overlay on real mldht nodes and bt swarms, each run by {@link OverlayNamespaceTest}
 * in a child JVM inside a network namespace of its own, with 100.64.0.1-4 on its {@code lo}
 * ({@link CheckWorker}, which runs {@code check(dir)}, one check after another). Hosts 1 and 2
 * are publishers, 3 a client peer (or a third DHT node).
 */
final class NamespaceChecks {
    static final SigningKey ORIGIN = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
    /**
     * A client's overlay budget: ample for a lookup and a transfer on two cores that also run
     * another check and the rest of a build (a few seconds when idle), so that a check that
     * expects the overlay to deliver gets it, and one that expects a refusal "at once" (well
     * within half of it) is told apart from one that waits the budget out.
     */
    static final Duration BUDGET = Duration.ofSeconds(60);
    /**
     * The renewals' times of the nodes of checks that wait for a store no node took, or for a
     * store the routing table's growth calls for: tries a quarter second apart and the first
     * wait after such a store 6 s (the product's: a second and 10 s), so that those checks wait
     * seconds, not the product's minute; the settling stores and the cap stay the product's.
     */
    static final RenewalTimes SHORT_RENEWALS = new RenewalTimes(RenewalTimes.DEFAULT.settle(), Duration.ofMillis(250),
            Duration.ofSeconds(6), RenewalTimes.DEFAULT.unreachedCap(), Duration.ofMillis(250));

    private NamespaceChecks() {
    }

    static String ip(int host) {
        return "100.64.0." + host;
    }

    /**
     * Puts {@code ip}/32 on the namespace's {@code lo} for a check's extra nodes. {@code replace},
     * not {@code add}: a worker runs checks one after another in the same namespace, and an
     * earlier check may have put the same address there.
     */
    static void onLoopback(String ip) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "addr", "replace", ip + "/32", "dev", "lo").inheritIO().start();
        assertEquals(0, p.waitFor(), "ip addr replace " + ip + "/32 dev lo");
    }

    /** A DHT node on host {@code host}'s port 6881, its state in {@code dir}/dht-{@code host}, joining through {@code boot}. */
    static DhtNode dhtNode(int host, Path dir, List<InetSocketAddress> boot) throws Exception {
        return DhtNode.start(InetAddress.getByName(ip(host)), 6881, Files.createDirectories(dir.resolve("dht-" + host)),
                boot, false);
    }

    static List<Address> boot() {
        return boot(1, 2, 3);
    }

    static List<Address> boot(int... hosts) {
        List<Address> out = new ArrayList<>();
        for (int h : hosts) {
            out.add(new Address(ip(h), 6881));
        }
        return out;
    }

    /** A node on {@code host} of a check that runs hosts 1, 2 and 3. */
    static OverlayConfig config(Path dir, int host, Path key) {
        return config(dir, host, key, boot());
    }

    /**
     * A node on {@code host} of a check that runs hosts 1 and 3 alone: the bootstrap names just
     * those, since a node whose bootstrap names a host that is not there counts as joined only
     * after DhtJoin's three-second wait.
     */
    static OverlayConfig configOfTwo(Path dir, int host, Path key) {
        return config(dir, host, key, boot(1, 3));
    }

    private static OverlayConfig config(Path dir, int host, Path key, List<Address> bootstrap) {
        return OverlayConfig.builder().bind(ip(host)).dhtPort(6881).btPort(7000 + host).bootstrap(bootstrap).key(key)
                .storage(dir.resolve("node-" + host)).seeding(true).budget(BUDGET).build();
    }

    static Path key(Path dir, int host) throws Exception {
        Path f = dir.resolve("dht-" + host + ".key");
        if (!Files.exists(f)) {
            PrivateKeyFiles.write(f, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        }
        return f;
    }

    /** When the check running now started ({@link #say} counts from it). */
    private static volatile long checkStart = System.nanoTime();

    /** Marks the start of the check that runs next in this JVM ({@link CheckWorker}). */
    static void startClock() {
        checkStart = System.nanoTime();
    }

    /** Prints {@code what} for the parent's summary, with the seconds since the check started (where a check's time goes). */
    static void say(String what) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - checkStart);
        System.out.println("check [" + ms / 1000 + "." + ms % 1000 / 100 + " s] " + what);
    }

    // ---- #1, #2: a torrent's file name is the publisher's to choose, not a path on the client

    static void torrentNamedWithDotDot(Path dir) throws Exception {
        hostileName(dir, "../../../secret.txt", "_/_/_/secret.txt");
    }

    static void torrentNamedDevZero(Path dir) throws Exception {
        hostileName(dir, "/dev/zero", "_/dev/zero");
    }

    /**
     * A listed publisher turned bad seeds a torrent whose file name is {@code name} (bt stores
     * its transfer, checked against the piece hashes, at {@code normalised} inside the torrent's
     * folder) and points map-a at it. The client must refuse it for its name, quickly, without
     * reading any file but the one bt wrote: not the secret three folders up, not /dev/zero
     * (whose size is 0 and whose bytes never end).
     */
    static void hostileName(Path dir, String name, String normalised) throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "SECRET-LOCAL-FILE-CONTENT of the client host\r\n");
        try (OverlayPublisher other = OverlayPublisher.start(config(dir, 1, key(dir, 1)));
             OverlayPublisher bad = OverlayPublisher.start(config(dir, 2, key(dir, 2)));
             OverlayClient client = OverlayClient.start(config(dir, 3, null))) {
            joined(other, bad, client);
            OverlayNode bn = node(bad);
            byte[] content = "TRANSFERRED-BYTES (what the piece hashes cover)".getBytes(StandardCharsets.US_ASCII);
            Torrent torrent = new MetadataService().fromByteArray(metainfo(name, content));
            Path seedDir = dir.resolve("bad-seed");
            Path stored = seedDir.resolve(normalised);
            Files.createDirectories(stored.getParent());
            Files.write(stored, content);
            BtRuntime runtime = (BtRuntime) field(bn.swarm(), "runtime");
            Bt.client(runtime).storage(new FileSystemStorage(seedDir)).torrent(() -> torrent).build().startAsync();
            byte[] ih = torrent.getTorrentId().getBytes();
            say("announced: " + bn.dht().announce(ih, 7002).get(60, TimeUnit.SECONDS));
            Pointer lie = new Pointer(key(bad).publicKey(), "map-a", Instant.now().getEpochSecond(), ih, content.length);
            say("bad put: " + bn.dht().put(lie.sign(key(bad))).get(60, TimeUnit.SECONDS));

            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(bad.publicKey())), List.of(ORIGIN.publicKey()),
                    client);
            long start = System.nanoTime();
            Object fa = sources.fetch("/networkmap/map-a");
            long ms = (System.nanoTime() - start) / 1_000_000;
            String said = describe(fa);
            say("fetch of map-a took " + ms + " ms: " + said);
            assertFalse(said.contains("SECRET-LOCAL-FILE"), "the client read a local file outside the torrent: " + said);
            assertTrue(fa instanceof ClientException, said);
            assertTrue(said.contains("not a plain file name"), "refused for its name: " + said);
            assertTrue(ms < BUDGET.toMillis() / 2, "refused at once, not after the budget of " + BUDGET + ": " + ms + " ms");
            // and the client is still sound: nothing stuck on bt's threads
            assertEquals(0, node(client).swarm().torrents(), "the refused torrent dropped");
        }
    }

    /** A bencoded single-file torrent named {@code name} over {@code content}. */
    static byte[] metainfo(String name, byte[] content) throws Exception {
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        byte[] nm = name.getBytes(StandardCharsets.UTF_8);
        byte[] sha = MessageDigest.getInstance("SHA-1").digest(content);
        info.writeBytes(("d6:lengthi" + content.length + "e4:name" + nm.length + ":").getBytes(StandardCharsets.US_ASCII));
        info.writeBytes(nm);
        info.writeBytes("12:piece lengthi16384e6:pieces20:".getBytes(StandardCharsets.US_ASCII));
        info.writeBytes(sha);
        info.writeBytes("e".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("d4:info".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(info.toByteArray());
        out.writeBytes("e".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    // ---- #3: what a refusal is remembered for

    /**
     * A listed publisher turned bad points map-a at map-b's genuine bundle (once with its size,
     * once with too small a size). The client refuses it for map-a (wrong resource, or too
     * large), and must still seed map-b's bundle and take it for map-b.
     */
    static void pointerForAnotherResource(Path dir) throws Exception {
        try (OverlayPublisher honest = OverlayPublisher.start(config(dir, 1, key(dir, 1)));
             OverlayPublisher bad = OverlayPublisher.start(config(dir, 2, key(dir, 2)));
             OverlayClient client = OverlayClient.start(config(dir, 3, null))) {
            joined(honest, bad, client);
            Instant t = Instant.now().minusSeconds(30);
            say("put a: " + honest.publish(bundle(ORIGIN, "map-a", t, "a1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
            say("put b: " + honest.publish(bundle(ORIGIN, "map-b", t, "b1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
            Pointer pb = ((PublishedVersions) field(honest, "versions")).current("map-b");
            String hb = HexFormat.of().formatHex(pb.infoHash());
            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(honest.publicKey(), bad.publicKey())),
                    List.of(ORIGIN.publicKey()), client);
            Object first = sources.fetch("/networkmap/map-b");
            say("fetch b: " + describe(first));
            assertTrue(first instanceof VerifiedDocument d && d.source().toString().contains(hb), "map-b from the overlay");
            assertTrue(node(client).swarm().holds(pb.infoHash()), "the client seeds map-b");

            long seq = t.getEpochSecond() + 100;
            for (long size : new long[] {pb.size(), 10}) {
                Pointer lie = new Pointer(key(bad).publicKey(), "map-a", seq++, pb.infoHash(), size);
                say("bad put (size " + size + "): " + node(bad).dht().put(lie.sign(key(bad))).get(60, TimeUnit.SECONDS));
                Object fa = sources.fetch("/networkmap/map-a");
                say("fetch a: " + describe(fa));
                assertTrue(describe(fa).contains(hb), "the lie was offered: " + describe(fa));
                assertTrue(node(client).swarm().holds(pb.infoHash()),
                        "the client stopped seeding map-b's genuine bundle because of a pointer for map-a (size " + size + ")");
                Object again = sources.fetch("/networkmap/map-b");
                say("fetch b again: " + describe(again));
                assertTrue(again instanceof VerifiedDocument d && d.source().toString().contains(hb),
                        "map-b's genuine bundle refused after a lie about map-a: " + describe(again));
            }
        }
    }

    /**
     * A bundle signed by a key the client does not trust yet is refused (unknown key); once the
     * client learns the key (from a newer directory), the same bundle is no longer refused
     * unseen ("refused before"), but fetched again and taken from the overlay, at once after the
     * refusal: the client dropped the torrent, and bt must have let it go before it is started
     * again ({@link Swarm#fetch}).
     */
    static void keyLearntLater(Path dir) throws Exception {
        SigningKey next = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        try (OverlayPublisher honest = OverlayPublisher.start(config(dir, 1, key(dir, 1)));
             OverlayClient other = OverlayClient.start(config(dir, 2, null));
             OverlayClient client = OverlayClient.start(config(dir, 3, null))) {
            joined(honest, other, client);
            Instant t = Instant.now().minusSeconds(30);
            say("put a: " + honest.publish(bundle(next, "map-a", t, "a1"), t.getEpochSecond()).get(90, TimeUnit.SECONDS));
            OverlayOnlySources sources = new OverlayOnlySources(directory(List.of(honest.publicKey())),
                    List.of(ORIGIN.publicKey()), client);
            Object first = sources.fetch("/networkmap/map-a");
            say("fetch a (key unknown): " + describe(first));
            assertTrue(describe(first).contains("UNKNOWN_KEY"), describe(first));
            assertTrue(describe(first).contains("xs=urn:btpk:" + honest.publicKey()),
                    "the refusal names the publisher that pointed to the bundle: " + describe(first));
            Instant now = Instant.now();
            assertTrue(sources.trusted.learn(List.of(next.publicKey().jwk()), now, now.plusSeconds(60), now), "the key learnt");
            Object second = sources.fetch("/networkmap/map-a");
            say("fetch a (key learnt): " + describe(second));
            // taken from the overlay: neither refused unseen ("refused before") nor lost in bt
            assertTrue(second instanceof VerifiedDocument d && d.source().toString().startsWith("magnet:"),
                    "fetched again from the overlay once the key was learnt: " + describe(second));
        }
    }

    // ---- #4: the torrents of a previous run

    @SuppressWarnings("try")
    static void foldersOfAPreviousRun(Path dir) throws Exception {
        Path torrents = dir.resolve("node-1").resolve("torrents");
        Files.createDirectories(torrents.resolve("0123456789abcdef0123456789abcdef01234567"));
        Files.writeString(torrents.resolve("0123456789abcdef0123456789abcdef01234567").resolve("map-x.http"), "left over");
        Files.createDirectories(torrents.resolve("new4711").resolve("half-written"));
        Instant t = Instant.now().minusSeconds(600);
        try (OverlayClient helper = OverlayClient.start(configOfTwo(dir, 3, null))) {
            Path keyFile = key(dir, 1);
            try (OverlayPublisher p = OverlayPublisher.start(configOfTwo(dir, 1, keyFile))) {
                say("at the first start: " + list(torrents));
                assertEquals(List.of(), list(torrents), "left-overs deleted at start");
                joined(p, helper);
                for (int v = 1; v <= 2; v++) {
                    p.publish(bundle(ORIGIN, "map-a", t.plusSeconds(v), "v" + v), t.getEpochSecond() + v).get(90, TimeUnit.SECONDS);
                }
            }
            say("after run 1: " + list(torrents));
            assertEquals(2, list(torrents).size(), list(torrents).toString());
            try (OverlayPublisher p = OverlayPublisher.start(configOfTwo(dir, 1, keyFile))) {
                say("at the second start: " + list(torrents));
                assertEquals(List.of(), list(torrents), "what the previous run seeded is deleted at start");
                joined(p, helper);
                for (int v = 3; v <= 5; v++) {
                    p.publish(bundle(ORIGIN, "map-a", t.plusSeconds(v), "v" + v), t.getEpochSecond() + v).get(90, TimeUnit.SECONDS);
                }
                say("after run 2: " + list(torrents) + ", seeded " + node(p).swarm().torrents());
                assertEquals(2, list(torrents).size(), "current + previous expected on disk, found " + list(torrents));
            }
        }
    }

    static List<String> list(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }

    // ---- ov: a restarted node never asks itself; a torrent fetched again has one worker

    static void restartedNodeAsksNotItself(Path dir) throws Exception {
        DhtRestartChecks.restartedNodeAsksNotItself(dir);
    }

    static void streamedVersionSeededAfterThePublisherLeft(Path dir) throws Exception {
        HeldSeedingChecks.streamedVersionSeededAfterThePublisherLeft(dir);
    }

    static void aVersionAheadOfThePointersIsFoundOnceAPointerNamesIt(Path dir) throws Exception {
        HeldSeedingChecks.aVersionAheadOfThePointersIsFoundOnceAPointerNamesIt(dir);
    }

    static void heldVersionsEndAtTheirExpiry(Path dir) throws Exception {
        HeldSeedingChecks.heldVersionsEndAtTheirExpiry(dir);
    }

    static void signatureAddedOnTheWayDeniesNothing(Path dir) throws Exception {
        AddedSignatureChecks.signatureAddedOnTheWayDeniesNothing(dir);
    }

    static void brandNewPeerBootstrapsFromTheOverlay(Path dir) throws Exception {
        DirectoryBootstrapChecks.brandNewPeerBootstrapsFromTheOverlay(dir);
    }

    static void torrentFetchedAgainHasOneWorker(Path dir) throws Exception {
        RefetchChecks.torrentFetchedAgainHasOneWorker(dir);
    }

    static void droppedTorrentsLeaveNothingInTheDispatcher(Path dir) throws Exception {
        RefetchChecks.droppedTorrentsLeaveNothingInTheDispatcher(dir);
    }

    static void itemStoredOnTheAskingNodeAloneIsFound(Path dir) throws Exception {
        DhtGetChecks.itemStoredOnTheAskingNodeAloneIsFound(dir);
    }

    static void unreadableItemsEndTheLookup(Path dir) throws Exception {
        HostileDhtChecks.unreadableItemsEndTheLookup(dir);
    }

    static void nodesListedUnderMadeUpIdsAreStillHeard(Path dir) throws Exception {
        HostileDhtChecks.nodesListedUnderMadeUpIdsAreStillHeard(dir);
    }

    static void aSeederNamedByMoreNodesComesBeforeOneNodesMadeUpPeers(Path dir) throws Exception {
        HostileDhtChecks.aSeederNamedByMoreNodesComesBeforeOneNodesMadeUpPeers(dir);
    }

    static void malformedMessagesAreDroppedAndTheNodeGoesOn(Path dir) throws Exception {
        MalformedKrpcChecks.malformedMessagesAreDroppedAndTheNodeGoesOn(dir);
    }

    static void madeUpIdsFromOneHostDoNotPushHonestNodesOut(Path dir) throws Exception {
        MalformedKrpcChecks.madeUpIdsFromOneHostDoNotPushHonestNodesOut(dir);
    }

    static void bundlesFetchedAtOnceTakeNoBlockOfAnother(Path dir) throws Exception {
        BlockCollisionChecks.bundlesFetchedAtOnceTakeNoBlockOfAnother(dir);
    }

    static void fetchesWaitingForTheirTurnEndAtClose(Path dir) throws Exception {
        SwarmStopChecks.fetchesWaitingForTheirTurnEndAtClose(dir);
    }

    static void aDocumentSeededAfterTheCloseStartsNothing(Path dir) throws Exception {
        SwarmStopChecks.aDocumentSeededAfterTheCloseStartsNothing(dir);
    }

    static void peersGivenPortsZeroTakeFreeOnes(Path dir) throws Exception {
        FreePortChecks.peersGivenPortsZeroTakeFreeOnes(dir);
    }

    static void staleBlocksAreNotTakenAndLetGo(Path dir) throws Exception {
        SwarmStopChecks.staleBlocksAreNotTakenAndLetGo(dir);
    }

    static void droppedTorrentIsNotServedOnceTheDropCompletes(Path dir) throws Exception {
        SwarmStopChecks.droppedTorrentIsNotServedOnceTheDropCompletes(dir);
    }

    static void olderBundleUnderANewerSeq(Path dir) throws Exception {
        ForgedSeqChecks.olderBundleUnderANewerSeq(dir);
    }

    static void clockSteppedBack(Path dir) throws Exception {
        ClockStepChecks.clockSteppedBack(dir);
    }

    static void unseededPointerIsGivenUpEarly(Path dir) throws Exception {
        NothingFoundChecks.unseededPointerIsGivenUpEarly(dir);
    }

    static void droppedBundleIsGivenUpEarly(Path dir) throws Exception {
        NothingFoundChecks.droppedBundleIsGivenUpEarly(dir);
    }

    static void pointerPutBeforeAnyPeerIsFoundOnceOneJoins(Path dir) throws Exception {
        ColdStartChecks.pointerPutBeforeAnyPeerIsFoundOnceOneJoins(dir);
    }

    static void seederFoundWithThePointerOncePeersJoin(Path dir) throws Exception {
        ColdStartChecks.seederFoundWithThePointerOncePeersJoin(dir);
    }

    static void peersWithNoPieceAreGivenUpEarly(Path dir) throws Exception {
        NothingFoundChecks.peersWithNoPieceAreGivenUpEarly(dir);
    }

    static void aBootstrapNodeOthersReachCountsAsJoined(Path dir) throws Exception {
        JoinChecks.aBootstrapNodeOthersReachCountsAsJoined(dir);
    }

    static void aContactThatNeverAnswersIsAskedBackAFewTimes(Path dir) throws Exception {
        JoinChecks.aContactThatNeverAnswersIsAskedBackAFewTimes(dir);
    }

    static void forgedContactsCrowdNoHonestOneOutOfTheJoin(Path dir) throws Exception {
        JoinChecks.forgedContactsCrowdNoHonestOneOutOfTheJoin(dir);
    }

    static void aContactForgedAtAPeersAddressKeepsItNotOut(Path dir) throws Exception {
        JoinChecks.aContactForgedAtAPeersAddressKeepsItNotOut(dir);
    }

    static void peersStopWithoutAnErrorOfBt(Path dir) throws Exception {
        QuietStopChecks.peersStopWithoutAnErrorOfBt(dir);
    }

    static void notJoinedIsSaid(Path dir) throws Exception {
        NothingFoundChecks.notJoinedIsSaid(dir);
    }

    static void socketNotOpenedFailsTheStart(Path dir) throws Exception {
        StartChecks.socketNotOpenedFailsTheStart(dir);
    }

    static void noPointerIsSaid(Path dir) throws Exception {
        NothingFoundChecks.noPointerIsSaid(dir);
    }

    static void overlayWithNoCopyIsNotHeldByAGoneNode(Path dir) throws Exception {
        GoneNodeChecks.aViewerWhoseOverlayHasNoCopyIsNotHeldByANodeThatIsGone(dir);
    }

    static void announcementStoredOnTheReaderAloneIsFound(Path dir) throws Exception {
        OwnPeersChecks.announcementStoredOnTheReaderAloneIsFound(dir);
    }

    static void offeredCopiesAreVerified(Path dir) throws Exception {
        VerifiedOfferChecks.offeredCopiesAreVerified(dir);
    }

    static void anAddressListedWithAWrongPortIsStillAskedWhereTheNodeIs(Path dir) throws Exception {
        HostileListingChecks.anAddressListedWithAWrongPortIsStillAskedWhereTheNodeIs(dir);
    }

    static void peerWhoseOriginStaysAwayLearnsTheNextKeyFromTheOverlay(Path dir) throws Exception {
        DirectoryBootstrapChecks.peerWhoseOriginStaysAwayLearnsTheNextKeyFromTheOverlay(dir);
    }

    static void aNodeThatAnswersLateIsStillHeard(Path dir) throws Exception {
        HostileListingChecks.aNodeThatAnswersLateIsStillHeard(dir);
    }

    static void aPutAcknowledgedAndNotKeptIsNotCountedAndGoesFurther(Path dir) throws Exception {
        HollowStoreChecks.aPutAcknowledgedAndNotKeptIsNotCountedAndGoesFurther(dir);
    }

    static void aPutRefusedOrUnansweredGoesFurther(Path dir) throws Exception {
        HollowStoreChecks.aPutRefusedOrUnansweredGoesFurther(dir);
    }

    static void madeUpListingsOfOneNodeAreGivenUpAfterAFew(Path dir) throws Exception {
        HostileListingChecks.madeUpListingsOfOneNodeAreGivenUpAfterAFew(dir);
    }

    // ---- #5: what is gone is no longer published

    /** A document whose signature expires is no longer the current pointer, nor seeded, nor published again. */
    @SuppressWarnings("try")
    static void expiredDocument(Path dir) throws Exception {
        try (OverlayClient helper = OverlayClient.start(configOfTwo(dir, 3, null));
             OverlayPublisher p = OverlayPublisher.start(configOfTwo(dir, 1, key(dir, 1)))) {
            joined(p, helper);
            OverlayNode n = node(p);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            p.bindTo(registry);
            Instant created = Instant.now().minusSeconds(5);
            SignedBundle b = bundle(ORIGIN, "map-a", created, "x1", Instant.now().plusSeconds(8));
            // verified as it is made: the same representation is offered again once expired
            ResponseVerifier verifier = new ResponseVerifier(List.of(ORIGIN.publicKey()), Clock.systemUTC());
            Representation v = b.representation(verifier);
            p.offer("/networkmap/map-a", v, verifier);
            waitFor(() -> !p.published().isEmpty(), 30);
            say("published: " + p.published() + ", torrents " + n.swarm().torrents() + ", renewals " + n.renewals().size());
            assertEquals(1, n.swarm().torrents());
            // the publisher drops the version on its own thread when the signature expires
            waitFor(() -> p.published().isEmpty() && n.swarm().torrents() == 0,
                    (int) Duration.between(Instant.now(), v.expires()).toSeconds() + 30);
            publisherIdle(p);
            say("expired at " + v.expires() + ": published " + p.published() + ", torrents " + n.swarm().torrents()
                    + ", renewals " + n.renewals().size() + ", now " + Instant.now());
            assertEquals(Map.of(), p.published(), "an expired document is still published");
            assertEquals(0, n.swarm().torrents(), "an expired document is still seeded");
            assertEquals(0, n.renewals().size(), "an expired document's pointer is still renewed");
            assertEquals(null, pointerGauge(registry, "map-a"), "an expired document's gauges stay at their last values");
            p.offer("/networkmap/map-a", v, verifier);
            publisherIdle(p);
            assertEquals(0, n.swarm().torrents(), "an expired document offered again is seeded again");
            assertEquals(Map.of(), p.published());
        }
    }

    /** A document the upstream no longer has (the pull feed's gone) is retired: its versions unseeded, its pointer no longer renewed. */
    @SuppressWarnings("try")
    static void retiredDocument(Path dir) throws Exception {
        try (OverlayClient helper = OverlayClient.start(configOfTwo(dir, 3, null));
             OverlayPublisher p = OverlayPublisher.start(configOfTwo(dir, 1, key(dir, 1)))) {
            joined(p, helper);
            OverlayNode n = node(p);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            p.bindTo(registry);
            Instant t = Instant.now().minusSeconds(60);
            ResponseVerifier verifier = new ResponseVerifier(List.of(ORIGIN.publicKey()), Clock.systemUTC());
            for (String[] d : new String[][] {{"map-a", "a1", "0"}, {"map-b", "b1", "0"}, {"map-a", "a2", "1"}}) {
                SignedBundle b = bundle(ORIGIN, d[0], t.plusSeconds(Long.parseLong(d[2])), d[1]);
                p.offer("/networkmap/" + d[0], b.representation(verifier), verifier);
            }
            waitFor(() -> p.published().size() == 2 && p.published().get("map-a") == t.getEpochSecond() + 1, 60);
            say("published: " + p.published() + ", torrents " + n.swarm().torrents() + ", renewals " + n.renewals().size());
            assertEquals(3, n.swarm().torrents(), "map-a's current and previous, map-b's");
            waitFor(() -> Double.valueOf(t.getEpochSecond() + 1).equals(pointerGauge(registry, "map-a")), 10);
            assertEquals((double) (t.getEpochSecond() + 1), pointerGauge(registry, "map-a"), "map-a's gauge, before");
            p.gone("/networkmap/map-a");
            // the retirement runs on the publisher's thread: a torrent leaves the count before its
            // folder is deleted, so the count alone does not say it is done
            publisherIdle(p);
            say("map-a gone: published " + p.published() + ", torrents " + n.swarm().torrents() + ", renewals "
                    + n.renewals().size() + ", on disk " + list(dir.resolve("node-1").resolve("torrents")));
            assertEquals(List.of("map-b"), List.copyOf(p.published().keySet()));
            assertEquals(1, n.swarm().torrents(), "map-b's alone");
            assertEquals(1, list(dir.resolve("node-1").resolve("torrents")).size());
            assertEquals(2, n.renewals().size(), "map-b's pointer and announcement alone");
            assertEquals(null, pointerGauge(registry, "map-a"), "a retired document's gauges stay at their last values");
            assertEquals((double) t.getEpochSecond(), pointerGauge(registry, "map-b"), "map-b's gauge stays");
        }
    }

    // ---- helpers

    /** The value of {@code resourceId}'s pointer created-time gauge, or null when there is none. */
    static Double pointerGauge(SimpleMeterRegistry registry, String resourceId) {
        var g = registry.find("rproxy.overlay.pointer.created.time").tag("resource", resourceId).gauge();
        return g == null ? null : g.value();
    }

    // ---- rv2 #2: a DHT node stores for others no more than its bounds

    /**
     * Node 1 takes at most 3 items and 3 peer entries from one /24; nodes 2 and 3 (same /24) put
     * 3 pointers each and node 4 announces 4 infohashes, all through their lookups: node 1 holds
     * 3 of the 6 pointers and 3 of the 4 entries (without the bound: all 6 and 4).
     */
    static void storageBounded(Path dir) throws Exception {
        StoreLimits limits = new StoreLimits(50, 3, 50, 3);
        List<InetSocketAddress> boot = OverlayNode.addresses(boot());
        List<DhtNode> nodes = new ArrayList<>();
        try {
            for (int host = 1; host <= 4; host++) {
                Path storage = Files.createDirectories(dir.resolve("dht-" + host));
                nodes.add(host == 1
                        ? DhtNode.start(InetAddress.getByName(ip(host)), 6881, storage, boot, false, limits, 1)
                        : DhtNode.start(InetAddress.getByName(ip(host)), 6881, storage, boot, false));
            }
            for (DhtNode n : nodes) {
                n.joined().get(60, TimeUnit.SECONDS);
            }
            DhtNode target = nodes.get(0);
            List<java.util.concurrent.CompletableFuture<Stored>> puts = new ArrayList<>();
            for (int host = 2; host <= 3; host++) {
                DhtKey key = DhtKeys.fresh();
                for (int i = 0; i < 3; i++) {
                    puts.add(nodes.get(host - 1).put(GenericStorage.buildMutable("pointer " + i, key.privateKey(),
                            ("res-" + i).getBytes(StandardCharsets.UTF_8), 1)));
                }
            }
            for (int i = 0; i < 4; i++) {
                byte[] infoHash = new byte[20];
                new SecureRandom().nextBytes(infoHash);
                puts.add(nodes.get(3).announce(infoHash, 7004));
            }
            for (var put : puts) {
                put.get(60, TimeUnit.SECONDS);
            }
            say("node 1 holds " + target.storedItems() + " items, counts " + target.storedPeers() + " peer entries");
            assertEquals(3, target.storedItems(), "items node 1 took from one /24 (6 were put)");
            assertEquals(3, target.storedPeers(), "peer entries node 1 took from one /24 (4 were announced)");
        } finally {
            nodes.forEach(DhtNode::close);
        }
    }

    static void waitFor(BooleanSupplier condition, int seconds) throws InterruptedException {
        for (int i = 0; i < seconds * 10 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
    }

    /**
     * Returns once {@code p}'s thread has done everything queued on it so far (offers, expiries,
     * retirements run there one at a time, seeding included), so that what they left undone is
     * seen without sleeping.
     */
    static void publisherIdle(OverlayPublisher p) throws Exception {
        ((ExecutorService) field(p, "worker")).submit(() -> { }).get(60, TimeUnit.SECONDS);
    }

    /** Waits until each publisher or client has joined, through their public {@code joined()}. */
    static void joined(Object... peers) throws Exception {
        say(peers.length + " peers started; waiting for their joins");
        for (Object p : peers) {
            (p instanceof OverlayPublisher op ? op.joined() : ((OverlayClient) p).joined()).get(60, TimeUnit.SECONDS);
        }
        say("joined");
    }

    static OverlayNode node(Object publisherOrClient) throws Exception {
        return (OverlayNode) field(publisherOrClient, "node");
    }

    static DhtKey key(OverlayPublisher p) throws Exception {
        return (DhtKey) field(p, "key");
    }

    static Object field(Object o, String name) throws Exception {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    static SignedBundle bundle(SigningKey origin, String id, Instant created, String tag) {
        return bundle(origin, id, created, tag, created.plus(Duration.ofHours(2)));
    }

    static SignedBundle bundle(SigningKey origin, String id, Instant created, String tag, Instant expires) {
        byte[] body = ("{\"meta\":{\"vtag\":{\"resource-id\":\"" + id + "\",\"tag\":\"" + tag + "\"}},\"network-map\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        return signed(origin, "application/alto-networkmap+json", AltoResource.of(id, "/networkmap/" + id), "\"" + tag + "\"",
                body, created, expires);
    }

    /** {@code body} of {@code type} at {@code resource}, signed by {@code origin} as the origin signs it, as a bundle. */
    static SignedBundle signed(SigningKey origin, String type, AltoResource at, String etag, byte[] body, Instant created,
                               Instant expires) {
        String digest = ContentDigest.sha256(body);
        String resource = at.toHeader();
        SignatureHeaders sig = new ResponseSigner(origin).sign(type, digest, etag, resource, created, expires);
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("content-type", List.of(type));
        h.put("content-digest", List.of(digest));
        h.put("etag", List.of(etag));
        h.put("alto-resource", List.of(resource));
        h.put("signature-input", List.of(sig.signatureInput()));
        h.put("signature", List.of(sig.signature()));
        return SignedBundle.of(h, body);
    }

    static Directory directory(List<String> publishers) {
        Map<String, InformationResource> res = new LinkedHashMap<>();
        for (String id : List.of("map-a", "map-b")) {
            res.put(id, InformationResource.simple(id, "/networkmap/" + id, "application/alto-networkmap+json", List.of()));
        }
        List<String> b = new ArrayList<>();
        boot().forEach(a -> b.add(a.host() + ":" + a.port()));
        return new Directory(Map.of(), null, res, null, null,
                new OverlayInfo(OverlayInfo.BITTORRENT_DHT, b, publishers, OverlayInfo.SALT_RESOURCE_ID));
    }

    static String describe(Object o) {
        if (o instanceof VerifiedDocument d) {
            return "VERIFIED from " + d.source() + " created " + d.created() + ", refused before: " + d.refused();
        }
        return o instanceof ClientException.NoSourceLeft n ? n.getMessage() + " " + n.attempts() : String.valueOf(o);
    }
}
