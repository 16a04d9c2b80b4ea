package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.model.Directory;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.testing.CapturedLogs;
import org.slf4j.LoggerFactory;

/**
 * A brand-new peer, which never reached the origin and so kept no directory, bootstraps from the
 * directory its overlay finds ({@link OverlaySource#directoryOffers}) when the origin gives none
 * (in a flash crowd the origin is what is overloaded), checked exactly as the origin's answer: a
 * directory another key signed is refused and the next offer taken, an older one than the state
 * file records is a rollback, an expired one a time failure. Real origins on loopback made the
 * bundles, and are stopped: their ports refuse connections.
 */
class DirectoryFromOverlayTest {
    private static final String PROXY = "http://proxy.example:8080";

    @TempDir
    Path dir;

    private final Logger client = (Logger) LoggerFactory.getLogger("org.rproxy.client");
    private final Level level = client.getLevel();

    /** The tests' configuration logs WARN and above: what the client says at INFO is looked at here. */
    DirectoryFromOverlayTest() {
        client.setLevel(Level.INFO);
    }

    @AfterEach
    void restore() {
        client.setLevel(level);
    }

    /** Offers the directories it was given, in order, and remembers what the client said of each. */
    static final class Shelf implements OverlaySource {
        final List<Offer> offers = new ArrayList<>();
        final List<Offer> accepted = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        int asked;

        @Override
        public Iterator<Offer> offers(Directory directory, String target, String resourceId, Instant held) {
            return List.<Offer>of().iterator();
        }

        @Override
        public Iterator<Offer> directoryOffers() {
            asked++;
            return List.copyOf(offers).iterator();
        }

        @Override
        public void accepted(Offer offer) {
            accepted.add(offer);
        }

        @Override
        public void refused(Offer offer, String resourceId, ClientException why) {
            refused.add(resourceId + ": " + why.getMessage());
        }

        Shelf add(String name, SignedBundle b) {
            offers.add(new Offer(URI.create("magnet:?xt=urn:btih:" + name), b, null));
            return this;
        }
    }

    @Test
    void aBrandNewPeerBootstrapsFromTheOverlaysDirectoryRefusingOneAnotherKeySigned() throws Exception {
        SignedBundle foreign;
        try (LocalOrigin other = LocalOrigin.start(dir.resolve("other"), List.of("http://evil.example:8080"))) {
            foreign = directory(other);
        }
        SignedBundle genuine;
        ClientOptions options;
        try (LocalOrigin origin = LocalOrigin.start(dir.resolve("origin"), List.of(PROXY))) {
            genuine = directory(origin);
            options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withStateFile(dir.resolve("alto.state"));
        }
        Shelf shelf = new Shelf().add("foreign", foreign);
        shelf.offers.add(new OverlaySource.Offer(URI.create("overlay:directory"), null, "no pointer from publishers 3b6a"));
        shelf.add("genuine", genuine);

        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.client");
             AltoClient peer = AltoClient.bootstrap(options, shelf)) {
            assertEquals(List.of(URI.create(PROXY)), peer.proxies(), "the RProxies of the genuine directory");
            // the designed path of a new peer while the origin is away: said once, and no warning
            assertEquals(List.of("INFO bootstrapped from the directory found in the overlay at magnet:?xt=urn:btih:genuine"),
                    said(logs, "bootstrapped from"));
            assertEquals(List.of(), said(logs, ""), "nothing above INFO");
        }
        assertEquals(List.of(URI.create("magnet:?xt=urn:btih:genuine")), shelf.accepted.stream().map(OverlaySource.Offer::from).toList());
        assertEquals(1, shelf.refused.size(), shelf.refused.toString());
        assertTrue(shelf.refused.get(0).startsWith("directory: ") && shelf.refused.get(0).contains("pinned key id"),
                shelf.refused.toString());
        assertTrue(Files.exists(dir.resolve("alto.state.directory")), "kept for the next bootstrap");

        // the next start, the origin still away, needs no overlay: the directory was kept
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.client");
             AltoClient again = AltoClient.bootstrap(options)) {
            assertEquals(List.of(URI.create(PROXY)), again.proxies());
            assertEquals(List.of(), said(logs, ""), "a restart from the kept directory warns of nothing");
        }
    }

    @Test
    void anOverlaysDirectoryOlderThanTheStateFileRecordsIsARollbackAndBothFailuresAreNamed() throws Exception {
        Path state = dir.resolve("alto.state");
        SignedBundle older;
        ClientOptions options;
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of(PROXY))) {
            older = directory(origin);
            options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withStateFile(state);
        }
        // this peer held a directory signed later once (its state file says so), kept no copy
        RollbackGuard.open(state).accepted("/directory", created(older).plusSeconds(60));

        ClientException.NoSourceLeft e = assertThrows(ClientException.NoSourceLeft.class,
                () -> AltoClient.bootstrap(options, new Shelf().add("older", older)));

        assertEquals(2, e.attempts().size(), e.getMessage());
        assertInstanceOf(ClientException.Unreachable.class, e.attempts().get(0), e.getMessage());
        assertInstanceOf(ClientException.Rollback.class, e.attempts().get(1), e.getMessage());
        assertTrue(e.getMessage().contains("magnet:?xt=urn:btih:older"), e.getMessage());
    }

    @Test
    void anOverlaysDirectoryExpiredAtThePeersClockIsATimeFailureNotTampering() throws Exception {
        SignedBundle genuine;
        ClientOptions options;
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of(PROXY))) {
            genuine = directory(origin);
            options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                    .withClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(3)));
        }
        Shelf shelf = new Shelf().add("genuine", genuine);

        ClientException.ClockSkew e = assertThrows(ClientException.ClockSkew.class, () -> AltoClient.bootstrap(options, shelf));

        assertInstanceOf(ClientException.OutsideValidity.class, e.attempts().get(1), e.getMessage());
        assertEquals(List.of(), shelf.accepted);
    }

    @Test
    void anOverlayThatFindsNoDirectoryLeavesTheOriginsFailureAsItWas() throws Exception {
        ClientOptions options;
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of(PROXY))) {
            options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()));
        }
        assertThrows(ClientException.Unreachable.class, () -> AltoClient.bootstrap(options, new Shelf()));
    }

    /**
     * A directory read again after bootstrap ({@code refreshKeys}) asks the overlay only when no
     * server gave one: not while the origin answers, and, once it is away, the overlay's copy
     * (here the one held) is taken. Before, a refresh never asked it: a peer whose origin stayed
     * away never learnt the origin's next key.
     */
    @Test
    void aRefreshAsksTheOverlayForTheDirectoryOnlyWhenNoServerGaveIt() throws Exception {
        Shelf shelf = new Shelf();
        LocalOrigin origin = LocalOrigin.start(dir, List.of());
        try (AltoClient peer = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())), shelf)) {
            try (origin) {
                shelf.add("genuine", directory(origin));
                assertEquals(java.util.Set.of(origin.keyId()), peer.refreshKeys());
                assertEquals(0, shelf.asked, "no overlay lookup while the origin answers");
            }
            assertEquals(java.util.Set.of(origin.keyId()), peer.refreshKeys(), "the overlay's directory taken");
            assertEquals(1, shelf.asked, "the overlay asked once no server gave the directory");
            assertEquals(List.of(URI.create("magnet:?xt=urn:btih:genuine")),
                    shelf.accepted.stream().map(OverlaySource.Offer::from).toList());
        }
    }

    /**
     * The lines logged that start with {@code start}, as level and message up to " (signed": those
     * at INFO when {@code start} is not empty, else those above INFO.
     */
    private static List<String> said(CapturedLogs logs, String start) {
        return logs.events().stream()
                .filter(e -> start.isEmpty() ? e.getLevel().isGreaterOrEqual(Level.WARN)
                        : e.getLevel() == Level.INFO && e.getFormattedMessage().startsWith(start))
                .map(e -> e.getLevel() + " " + e.getFormattedMessage().split(" \\(signed", 2)[0]).toList();
    }

    /** The origin's signed directory, as a publisher puts it into the overlay. */
    private static SignedBundle directory(LocalOrigin origin) throws Exception {
        return directory(origin.uri());
    }

    /** The signed directory of the origin at {@code origin}, as a publisher puts it into the overlay. */
    static SignedBundle directory(URI origin) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(origin.resolve("/directory"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return SignedBundle.of(r.headers().map(), r.body());
    }

    private static Instant created(SignedBundle b) {
        return SignatureWindow.read(b::field).created();
    }
}
