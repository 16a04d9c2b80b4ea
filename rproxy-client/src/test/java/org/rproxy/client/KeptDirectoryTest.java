package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
