package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.MutableClock;

/** Bootstrap against a real origin: what the directory teaches, what a pin refuses, and the answers of the maps. */
class AltoClientTest {
    private static final List<String> PROXIES = List.of("http://127.0.0.9:1/", "http://127.0.0.3:1/",
            "http://127.0.0.2:1/");

    @TempDir
    Path dir;
    private LocalOrigin origin;

    @AfterEach
    void stop() {
        if (origin != null) {
            origin.close();
        }
    }

    private ClientOptions options() throws Exception {
        origin = LocalOrigin.start(dir, PROXIES);
        return patient(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
    }

    /**
     * {@code o} with a timeout these tests never wait out: they expect an answer (or a refusal of
     * it), and the default 5 s once passed first on a machine at load 35, the origin's first
     * answers in a fresh JVM signed and served on threads that got little CPU.
     */
    private static ClientOptions patient(ClientOptions o) {
        return o.withTimeout(Duration.ofSeconds(60));
    }

    @Test
    void aKeyIdAloneLearnsTheOriginsKeyAndProxiesFromItsSignedDirectory() throws Exception {
        AltoClient c = AltoClient.bootstrap(options());
        assertEquals(PROXIES.stream().map(URI::create).toList(), c.proxies());
        assertEquals(java.util.Set.of(origin.keyId()), c.trustedKeyIds());
    }

    @Test
    void rankGivesEachCandidateAsTheApplicationPassedIt() throws Exception {
        LocalAnswers a = AltoClient.bootstrap(options()).refreshMaps();
        // 128.36.1.5 is in PID1 with 127.0.0.2; 127.0.0.3 in PID2; 0.0.0.1 and 10.1.2.3 in PID3
        List<String> candidates = List.of("0.0.0.1", "ipv4:127.0.0.3", "127.0.0.2", "0.0.0.1", "10.1.2.3");
        List<RankedEndpoint> ranked = a.rank("128.36.1.5", candidates);
        assertEquals(List.of("127.0.0.2", "ipv4:127.0.0.3", "0.0.0.1", "10.1.2.3"),
                ranked.stream().map(r -> candidates.get(r.index())).toList(),
                "cheapest first, each as passed (the first of a repeated one); 10.1.2.3 (PID3 too) ties with 0.0.0.1");
        assertEquals(List.of(2, 1, 0, 4), ranked.stream().map(RankedEndpoint::index).toList());
    }

    @Test
    void aVerifiedDocumentCanBeMadeOnlyByTheClient() {
        for (java.lang.reflect.Constructor<?> c : VerifiedDocument.class.getDeclaredConstructors()) {
            assertFalse(java.lang.reflect.Modifier.isPublic(c.getModifiers())
                    || java.lang.reflect.Modifier.isProtected(c.getModifiers()), c.toString());
        }
    }

    @Test
    void aVerifiedDocumentGivesTheBodyAsSignedAndTheFieldsItCameWith() throws Exception {
        AltoClient c = AltoClient.bootstrap(options());
        VerifiedDocument d = c.fetch(LocalOrigin.COST_MAP);
        java.net.http.HttpResponse<byte[]> served = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create(origin.uri() + LocalOrigin.COST_MAP)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(java.nio.ByteBuffer.wrap(served.body()), d.body());
        assertEquals(served.body().length, d.length());
        assertTrue(java.util.Arrays.equals(served.body(), d.bodyStream().readAllBytes()));
        assertTrue(d.body().isReadOnly(), "a view the application cannot write through");
        d.body().position(3);
        assertEquals(0, d.body().position(), "each call a view of its own");
        assertEquals(served.headers().firstValue("content-type"), Optional.ofNullable(d.contentType()));
        assertEquals(served.headers().firstValue("etag"), Optional.ofNullable(d.etag()));
        for (String name : List.of("content-digest", "alto-resource", "signature-input", "signature")) {
            assertEquals(served.headers().firstValue(name), d.field(name), name);
        }
        assertEquals(d.field("signature-input"), d.field("Signature-Input"), "a field name in any case");
        assertEquals(Optional.empty(), d.field("content-encoding"), "never content-coded");
        assertTrue(d.field("signature-input").orElseThrow().contains("keyid=\"" + origin.keyId() + "\""));
    }

    /**
     * An application's policy that gives no order is named in the refusal: the client said only
     * that it could not invoke List.iterator() on a null, leaving the vendor to find which list.
     */
    @Test
    void aPolicyGivingNoOrderIsNamed() throws Exception {
        SourcePolicy none = new SourcePolicy() {
            @Override
            public List<URI> order(List<URI> proxies, Context context) {
                return null;
            }

            @Override
            public String toString() {
                return "MyPolicy";
            }
        };
        try (AltoClient c = AltoClient.bootstrap(options().withPolicy(none))) {
            NullPointerException e = assertThrows(NullPointerException.class, () -> c.fetch("/directory"));
            assertEquals("the SourcePolicy MyPolicy gave null (expected: the proxies to try)", e.getMessage());
        }
    }

    @Test
    void aPemPinWorksAlike() throws Exception {
        options();
        AltoClient c = AltoClient.bootstrap(patient(ClientOptions.of(origin.uri(), KeyPin.ofPem(origin.publicKey))));
        assertEquals(3, c.proxies().size());
    }

    @Test
    void aDirectoryThatListsNoKeyWithThePinnedIdIsRefused() throws Exception {
        options();
        String other = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey().keyId();
        ClientException e = assertThrows(ClientException.InvalidResponse.class,
                () -> AltoClient.bootstrap(patient(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(other)))));
        assertTrue(e.getMessage().contains("lists no key with the pinned key id " + other), e.getMessage());
        assertTrue(e.getMessage().startsWith(origin.uri() + "/directory: "), e.getMessage());
    }

    @Test
    void aDirectoryNotSignedByThePinnedKeyIsRefused() throws Exception {
        options();
        Path otherPub = dir.resolve("other.pub");
        Files.writeString(otherPub, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom())
                .publicKey().toSpkiPem());
        ClientException.InvalidResponse e = assertThrows(ClientException.InvalidResponse.class,
                () -> AltoClient.bootstrap(patient(ClientOptions.of(origin.uri(), KeyPin.ofPem(otherPub)))));
        assertTrue(e.reason().contains("not signed by the pinned key"), e.reason());
        assertEquals("UNKNOWN_KEY", e.reason().replaceAll(".*: (UNKNOWN_KEY):.*", "$1"));
    }

    @Test
    void anEquivalentTargetIsFetchedAndVerifiedInNormalForm() throws Exception {
        AltoClient c = AltoClient.bootstrap(options());
        VerifiedDocument plain = c.fetch(LocalOrigin.NETWORK_MAP);
        VerifiedDocument d = c.fetch("/%6Eetworkmap/default%2dnetwork-map");
        assertEquals(LocalOrigin.NETWORK_MAP, d.target(), "the signed alto-resource path matches the normal form");
        assertEquals(plain.etag(), d.etag());
        assertEquals(plain.body(), d.body());
        assertThrows(IllegalArgumentException.class, () -> c.fetch("/networkmap/%zz"));
    }

    @Test
    void anUnreachableOriginIsNamedWithTheReason() {
        ClientException e = assertThrows(ClientException.Unreachable.class, () -> AltoClient.bootstrap(
                ClientOptions.of(URI.create("http://127.0.0.1:1"), KeyPin.ofKeyId("A".repeat(43)))));
        assertTrue(e.getMessage().startsWith("http://127.0.0.1:1/directory: unreachable: "), e.getMessage());
    }

    @Test
    void answersComeFromTheVerifiedMapsWithTheOriginsQueryCode() throws Exception {
        AltoClient c = AltoClient.bootstrap(options());
        LocalAnswers a = c.refreshMaps();
        assertEquals(Optional.of("PID1"), a.pid("128.36.1.5"));
        assertEquals(Optional.of("PID2"), a.pid("ipv4:130.132.3.9"));
        assertEquals(5.0, a.cost("128.36.1.5", "130.132.3.9").orElseThrow());
        List<RankedEndpoint> r = a.rank("128.36.1.5", List.of("8.8.8.8", "130.132.3.9", "128.36.1.77"));
        assertEquals(List.of("ipv4:128.36.1.77", "ipv4:130.132.3.9", "ipv4:8.8.8.8"),
                r.stream().map(RankedEndpoint::endpoint).toList(), "each in typed form");
        assertThrows(IllegalArgumentException.class, () -> a.pid("not-an-address"));
    }

    /**
     * The filtered cost map an application weighing whole PIDs needs, from the held maps: the rows
     * and columns asked (all for none), unknown PIDs left out, an ordinal type ranked against the
     * whole map as the origin's {@code /costmap/filtered} ranks it (the sample map's costs are 5,
     * 10, 15 and 20).
     */
    @Test
    void aFilteredCostMapIsComputedFromTheHeldMaps() throws Exception {
        AltoClient c = AltoClient.bootstrap(options());
        LocalAnswers a = c.refreshMaps();
        assertEquals(Map.of("PID1", Map.of("PID2", 5.0, "PID3", 10.0)),
                a.costs(List.of("PID1", "PID9"), List.of("PID2", "PID3"), LocalAnswers.ROUTING_COST));
        assertEquals(Map.of("PID2", Map.of("PID1", 5.0), "PID3", Map.of("PID1", 20.0)),
                a.costs(List.of(), List.of("PID1"), LocalAnswers.ROUTING_COST));
        assertEquals(Map.of("PID1", Map.of("PID2", 1.0), "PID3", Map.of("PID1", 4.0, "PID2", 3.0)),
                a.costs(List.of("PID1", "PID3"), List.of("PID1", "PID2"), CostType.ordinal("routingcost")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.costs(List.of(), List.of(), CostType.numerical("hopcount")));
        assertTrue(e.getMessage().contains("hopcount"), e.getMessage());
    }

    @Test
    void answersAreNotGivenOnceTheSignaturesOfTheirMapsHaveExpired() throws Exception {
        // every refresh kept from arriving must not freeze the client on old maps past their signatures
        MutableClock clock = MutableClock.now();
        AltoClient c = AltoClient.bootstrap(options().withClock(clock).withClientAddress("128.36.1.5"));
        LocalAnswers a = c.refreshMaps();
        assertTrue(a.isCurrent());
        Instant until = a.validUntil();
        assertTrue(until.isAfter(clock.instant()) && until.isBefore(clock.instant().plus(Duration.ofHours(2))), until.toString());
        assertEquals(5.0, a.cost("128.36.1.5", "130.132.3.9").orElseThrow());
        clock.advance(Duration.between(clock.instant(), until).minusMillis(1));
        assertEquals(Optional.of("PID1"), a.pid("128.36.1.5"));
        clock.advance(Duration.ofMillis(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.cost("128.36.1.5", "130.132.3.9"));
        assertTrue(e.getMessage().contains("expired at " + until), e.getMessage());
        assertThrows(IllegalStateException.class, () -> c.answers().rank("128.36.1.5", List.of("130.132.3.9")));
        assertThrows(IllegalStateException.class, () -> a.pid("128.36.1.5"));
        assertFalse(a.isCurrent());
        // the sources are still put in order (by health alone now), so a refresh can be tried
        assertEquals(4, c.sourceOrder().size());
    }

    @Test
    void sourcesAreRankedByCostFromTheClientAndAllDownFallsBackToTheOrigin() throws Exception {
        AltoClient c = AltoClient.bootstrap(options().withClientAddress("128.36.1.5"));
        c.refreshMaps();
        // PID1 (same PID), then PID2 (cost 5), then PID3 (cost 10), then the origin.
        assertEquals(List.of(URI.create("http://127.0.0.2:1/"), URI.create("http://127.0.0.3:1/"),
                URI.create("http://127.0.0.9:1/"), origin.uri()), c.sourceOrder());
        VerifiedDocument d = c.fetch(LocalOrigin.NETWORK_MAP);
        assertEquals(URI.create(origin.uri() + LocalOrigin.NETWORK_MAP), d.source());
        assertEquals(3, d.refused().size());
        d.refused().forEach(e -> assertInstanceOf(ClientException.Unreachable.class, e));
    }
}
