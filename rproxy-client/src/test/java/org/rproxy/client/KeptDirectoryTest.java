package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.store.Variant;

/**
 * A client restarted while the origin is away (a P2P peer relaunched during an origin outage)
 * still bootstraps when it has a state file: from the directory it verified last, kept beside
 * that file and verified again as if the origin had sent it, so it finds the RProxies the
 * directory lists (and the overlay). Without a state file, or with a kept copy that does not
 * verify, bootstrap fails as before and says why. A real origin and a scripted proxy on loopback.
 */
class KeptDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void aClientRestartedWhileTheOriginIsDownBootstrapsFromTheKeptDirectoryAndFetchesFromTheProxy() throws Exception {
        Path state = dir.resolve("alto.state");
        try (ScriptedProxy proxy = new ScriptedProxy()) {
            ClientOptions options;
            try (LocalOrigin origin = LocalOrigin.start(dir, List.of(proxy.base()))) {
                options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withStateFile(state);
                try (AltoClient first = AltoClient.bootstrap(options)) {
                    proxy.serve(LocalOrigin.COST_MAP, first.fetch(LocalOrigin.COST_MAP).representation());
                }
            }
            // the origin has stopped: its port refuses connections
            try (AltoClient restarted = AltoClient.bootstrap(options)) {
                assertTrue(Files.exists(dir.resolve("alto.state.directory")), "kept beside the state file");
                assertEquals(List.of(proxy.uri()), restarted.proxies());
                VerifiedDocument map = restarted.fetch(LocalOrigin.COST_MAP);
                assertEquals(proxy.uri().getPort(), map.source().getPort());
            }
        }
    }

    /**
     * An overlay, as {@code OverlayClient} does, transfers no version claimed no newer than the one
     * held (by the state file's record too): the client asks it for the held version as well once no
     * server answered, and a peer restarted while every server is away has its maps from the overlay;
     * {@code refreshMaps} goes on without the directory (read for the keys), which no source gives.
     */
    @Test
    void aClientRestartedWhileEveryServerIsAwayTakesTheMapsItHadFromTheOverlay() throws Exception {
        Path state = dir.resolve("alto.state");
        List<String> asked = new CopyOnWriteArrayList<>();
        Map<String, OverlaySource.Offer> shelf = new ConcurrentHashMap<>();
        OverlaySource overlay = (directory, target, resourceId, held) -> {
            asked.add(target + (held == null ? "" : " newer"));
            OverlaySource.Offer o = shelf.get(target);
            boolean newer = o != null && (held == null || Instant.ofEpochSecond(Long.parseLong(o.from().getFragment())).isAfter(held));
            return (newer ? List.of(o) : List.<OverlaySource.Offer>of()).iterator();
        };
        ClientOptions options;
        List<String> maps;
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of())) {
            options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withStateFile(state);
            try (AltoClient first = AltoClient.bootstrap(options, overlay)) {
                maps = first.mapTargets();
                for (String target : maps) {
                    VerifiedDocument pulled = first.fetch(target);
                    assertEquals("http", pulled.source().getScheme(), "the overlay had nothing yet");
                    Variant v = pulled.representation().identity();
                    shelf.put(target, new OverlaySource.Offer(URI.create("magnet:?xt=urn:btih:" + target.hashCode() + "#"
                            + pulled.created().getEpochSecond()), new SignedBundle(v.headers(), v.body()), null));
                }
            }
        }
        asked.clear();
        try (AltoClient restarted = AltoClient.bootstrap(options, overlay)) {
            VerifiedDocument map = restarted.fetch(LocalOrigin.COST_MAP);
            assertEquals("magnet", map.source().getScheme(), map.refused().toString());
            assertEquals(List.of(LocalOrigin.COST_MAP + " newer", LocalOrigin.COST_MAP), asked,
                    "asked for a newer version, then for the one held");
            assertInstanceOf(ClientException.Unreachable.class, map.refused().get(0), map.refused().toString());

            LocalAnswers answers = restarted.refreshMaps();
            assertEquals(maps.size(), answers.versions().size(), answers.versions().toString());
            assertTrue(answers.cost("128.36.1.5", "130.132.3.9").isPresent());
        }
    }

    @Test
    void aKeptDirectoryThatWasChangedIsRefusedAndBothFailuresAreNamed() throws Exception {
        Path state = dir.resolve("alto.state");
        ClientOptions options;
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of())) {
            options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withStateFile(state);
            AltoClient.bootstrap(options).close();
        }
        Path kept = dir.resolve("alto.state.directory");
        String bundle = Files.readString(kept, StandardCharsets.ISO_8859_1);
        assertTrue(bundle.contains("routingcost-map\""), bundle);
        Files.writeString(kept, bundle.replace("routingcost-map\"", "routingcost-maq\""), StandardCharsets.ISO_8859_1);

        ClientException.NoSourceLeft e = assertThrows(ClientException.NoSourceLeft.class, () -> AltoClient.bootstrap(options));
        assertEquals(2, e.attempts().size(), e.getMessage());
        assertInstanceOf(ClientException.Unreachable.class, e.attempts().get(0), e.getMessage());
        assertInstanceOf(ClientException.InvalidResponse.class, e.attempts().get(1), e.getMessage());
        assertTrue(e.getMessage().contains(kept.toUri().toString()), e.getMessage());
    }

    @Test
    void withoutAStateFileNothingIsKeptAndAnOriginDownEndsTheBootstrap() throws Exception {
        ClientOptions options;
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of())) {
            options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()));
            AltoClient.bootstrap(options).close();
        }
        assertThrows(ClientException.Unreachable.class, () -> AltoClient.bootstrap(options));
    }
}
