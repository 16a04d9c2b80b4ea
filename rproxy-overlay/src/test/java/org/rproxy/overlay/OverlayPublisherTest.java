package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

class OverlayPublisherTest {

    @Test
    void onlyTheJsonDocumentsOfTheDirectoryArePublished() {
        assertTrue(OverlayPublisher.altoJson("application/alto-networkmap+json"));
        assertTrue(OverlayPublisher.altoJson("application/alto-costmap+json; charset=utf-8"));
        assertTrue(OverlayPublisher.altoJson("Application/ALTO-costmap+JSON"));
        assertFalse(OverlayPublisher.altoJson("application/xml"), "the XML dialect's view of the same resource id");
        assertFalse(OverlayPublisher.altoJson("text/xml; charset=utf-8"));
        assertFalse(OverlayPublisher.altoJson(""));
    }

    /**
     * A pull proxy holds a copy with the fields its upstream sent besides the signed ones
     * ({@code vary}, {@code via}, ...); a client holds the signed ones alone. Both must make the
     * same bundle, so the same torrent: else a peer seeding what it holds seeds a torrent no
     * pointer names.
     */
    @Test
    void aProxysCopyAndAClientsCopyOfOneVersionMakeTheSameTorrent(@TempDir Path dir) throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        SignedBundle signed = NamespaceChecks.bundle(NamespaceChecks.ORIGIN, "map-a", t, "a1");
        List<HeaderField> held = new ArrayList<>(signed.fields());
        held.add(new HeaderField("vary", "Accept-Encoding, X-Varnish"));
        held.add(new HeaderField("via", "1.1 proxy-1"));
        held.add(new HeaderField("last-modified", "Thu, 01 Jan 2026 00:00:00 GMT"));
        SignatureWindow w = SignatureWindow.read(signed::field);
        Representation atProxy = new Representation(new Variant(signed.body(), null, held), null, 60, w.created(),
                w.expires());
        byte[] publisher = OverlayPublisher.bundle(atProxy).toBytes();
        byte[] peer = OverlayPublisher.bundle(signed.fields(), signed.body().unsafeArray()).toBytes();
        assertEquals(new String(peer, java.nio.charset.StandardCharsets.UTF_8),
                new String(publisher, java.nio.charset.StandardCharsets.UTF_8));
        assertArrayEquals(TorrentFolders.make(dir, "map-a.http", peer).torrent().getTorrentId().getBytes(),
                TorrentFolders.make(dir, "map-a.http", publisher).torrent().getTorrentId().getBytes());
    }
}
