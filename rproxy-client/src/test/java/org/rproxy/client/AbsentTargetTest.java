package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 404 is the source's failure only when another source has the document: an application that
 * asks for a target no source has (a wrong path) must not make every source, the origin included,
 * look failing for the next 30 s. A real signing origin and a scripted proxy on loopback.
 */
class AbsentTargetTest {
    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void aTargetNoSourceHasBlamesNoSourceButAProxyMissingWhatTheOriginHasIsFailing() throws Exception {
        ScriptedProxy proxy = started.add(new ScriptedProxy());
        LocalOrigin origin = started.add(LocalOrigin.start(dir, List.of(proxy.base())));
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))));

        ClientException e = assertThrows(ClientException.class, () -> c.fetch("/costmap/no-such-map"));
        assertEquals(2, ((ClientException.NoSourceLeft) e).attempts().size(), e.getMessage());
        assertEquals(0, c.health().recentFailures(proxy.uri()), "a target nobody has: " + c.health());
        assertEquals(0, c.health().recentFailures(origin.uri()), "a target nobody has: " + c.health());

        // the proxy does not hold the cost map, the origin has it: the proxy is missing it
        c.fetch(LocalOrigin.COST_MAP);
        assertEquals(1, c.health().recentFailures(proxy.uri()), c.health().toString());
        assertEquals(0, c.health().recentFailures(origin.uri()), c.health().toString());
    }
}
