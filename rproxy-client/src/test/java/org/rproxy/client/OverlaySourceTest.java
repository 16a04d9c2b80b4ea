package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Directory;

/**
 * The client's side of the PUSH scheme against a real origin: bundles an overlay offers are
 * verified like responses, a bad or older one is refused and the next tried, and with nothing
 * that verifies the client pulls. The overlay here is a shelf of bundles taken from the origin
 * (as peers would hand them on); the BitTorrent overlay itself is proven by OverlayNamespaceIT.
 */
class OverlaySourceTest {
    @TempDir
    Path dir;
    private LocalOrigin origin;

    @AfterEach
    void stop() {
        if (origin != null) {
            origin.close();
        }
    }

    /** Offers its bundles in order and remembers what the client said of each. */
    static class Shelf implements OverlaySource {
        final List<Offer> offers = new ArrayList<>();
        final List<Offer> accepted = new ArrayList<>();
        final List<ClientException> refused = new ArrayList<>();

        @Override
        public Iterator<Offer> offers(Directory directory, String target, String resourceId, java.time.Instant held) {
            return List.copyOf(offers).iterator();
        }

        @Override
        public void accepted(Offer offer) {
            accepted.add(offer);
        }

        @Override
        public void refused(Offer offer, ClientException why) {
            refused.add(why);
        }

        void add(String name, SignedBundle b) {
            offers.add(new Offer(URI.create("magnet:?xt=urn:btih:" + name), b, null));
        }
    }

    private SignedBundle bundle(String target) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(origin.uri().resolve(target))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return SignedBundle.of(r.headers().map(), r.body());
    }

    private AltoClient client(Shelf shelf) throws Exception {
        return AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())), shelf);
    }

    @Test
    void aTamperedBundleIsRefusedAndTheNextOfferTaken() throws Exception {
        origin = LocalOrigin.start(dir, List.of());
        SignedBundle good = bundle(LocalOrigin.COST_MAP);
        byte[] body = good.body().toArray();
        body[body.length - 3] ^= 1;
        Shelf shelf = new Shelf();
        shelf.add("bad", new SignedBundle(good.fields(), Bytes.wrap(body)));
        shelf.add("good", good);

        VerifiedDocument d = client(shelf).fetch(LocalOrigin.COST_MAP);

        assertEquals(URI.create("magnet:?xt=urn:btih:good"), d.source());
        assertEquals(good.body(), d.representation().identity().body());
        assertInstanceOf(ClientException.InvalidResponse.class, d.refused().get(0));
        assertEquals(1, shelf.refused.size());
        assertEquals(1, shelf.accepted.size());
    }

    @Test
    void anOverlaySourceThatFailsIsOneMoreRefusalAndTheClientPulls() throws Exception {
        origin = LocalOrigin.start(dir, List.of());
        AltoClient failingAtOnce = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())),
                new Shelf() {
                    @Override
                    public Iterator<Offer> offers(Directory directory, String target, String resourceId,
                                                  java.time.Instant held) {
                        throw new IllegalArgumentException("seq, size: -5, 100");
                    }
                });
        VerifiedDocument d = failingAtOnce.fetch(LocalOrigin.NETWORK_MAP);
        assertEquals("http", d.source().getScheme());
        assertTrue(d.refused().get(0).getMessage().contains("the overlay source failed"), d.refused().toString());

        AltoClient failingMidway = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())),
                new Shelf() {
                    @Override
                    public Iterator<Offer> offers(Directory directory, String target, String resourceId,
                                                  java.time.Instant held) {
                        return new Iterator<>() {
                            @Override
                            public boolean hasNext() {
                                return true;
                            }

                            @Override
                            public Offer next() {
                                throw new IllegalStateException("a peer hung up");
                            }
                        };
                    }
                });
        assertEquals("http", failingMidway.fetch(LocalOrigin.NETWORK_MAP).source().getScheme());
    }

    @Test
    void withNothingOfferedTheClientPulls() throws Exception {
        origin = LocalOrigin.start(dir, List.of());
        Shelf shelf = new Shelf();
        VerifiedDocument d = client(shelf).fetch(LocalOrigin.NETWORK_MAP);
        assertEquals("http", d.source().getScheme());
    }

    @Test
    void aBundleOlderThanTheOneHeldIsRefusedAsARollbackAndTheClientPulls() throws Exception {
        origin = LocalOrigin.start(dir, List.of());
        SignedBundle old = bundle(LocalOrigin.COST_MAP);
        Shelf shelf = new Shelf();
        AltoClient c = client(shelf);
        long oldCreated = c.fetch(LocalOrigin.COST_MAP).created().getEpochSecond();
        // versions are told apart by their created second: the change must be signed in a later one
        while (java.time.Instant.now().getEpochSecond() <= oldCreated) {
            Thread.onSpinWait();
        }
        LocalOrigin.writeCosts(origin.maps, 7);
        assertTrue(awaitChange(old.body()), "the origin signed the new cost map");
        VerifiedDocument now = c.fetch(LocalOrigin.COST_MAP);
        shelf.add("old", old);

        VerifiedDocument again = c.fetch(LocalOrigin.COST_MAP);

        assertEquals("http", again.source().getScheme());
        assertEquals(now.body(), again.body());
        assertInstanceOf(ClientException.Rollback.class, again.refused().get(0));
    }

    private boolean awaitChange(Bytes before) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            if (!bundle(LocalOrigin.COST_MAP).body().equals(before)) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }
}
