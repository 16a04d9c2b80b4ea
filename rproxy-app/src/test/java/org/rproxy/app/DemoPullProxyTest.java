package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/** {@code rproxy demo}'s pull proxy: started in front of the origin, its URLs printed, and what it serves verifies. */
class DemoPullProxyTest {
    @TempDir
    Path dir;

    @Test
    void theDemoProxyPrintsItsUrlsAndServesVerifiableDocuments() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = Files.writeString(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "demo", null));
             PullProxy proxy = DemoCommand.startPullProxy(new PrintStream(printed, true, StandardCharsets.UTF_8),
                     origin, pub)) {
            String text = printed.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("A pull-mode proxy serves the same signed documents: " + proxy.baseUri()), text);
            assertTrue(text.contains("bin/rproxy fetch " + proxy.baseUri() + "/directory --trust " + pub), text);
            assertEquals(0, Main.run("fetch", proxy.baseUri() + "/prop/pid", "--trust", pub.toString()));
            assertEquals(0, Main.run("fetch", proxy.baseUri() + "/costmap/routingcost-map", "--trust", pub.toString(), "--gzip"));
        }
    }
}
