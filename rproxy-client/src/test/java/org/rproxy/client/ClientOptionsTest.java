package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options are values: each copy changes its one setting, the original stays, and equal settings are equal. */
class ClientOptionsTest {
    private static final ClientOptions BASE = ClientOptions.of(URI.create("https://alto.example.net"),
            KeyPin.ofKeyId("Zh3kAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));

    @Test
    void aCopyChangesItsOneSettingAndLeavesTheOriginal() {
        ClientOptions changed = BASE.withTimeout(Duration.ofSeconds(9)).withStateFile(Path.of("alto.state"));
        assertEquals(Duration.ofSeconds(9), changed.timeout());
        assertEquals(Path.of("alto.state"), changed.stateFile());
        assertEquals(Duration.ofSeconds(5), BASE.timeout());
        assertNull(BASE.stateFile());
        assertEquals(BASE.coolDown(), changed.coolDown());
        assertEquals(BASE.origin(), changed.origin());
        assertTrue(changed.toString().contains("timeout=PT9S") && changed.toString().contains("stateFile=alto.state"),
                changed::toString);
    }

    @Test
    void equalSettingsAreEqualOptions() {
        ClientOptions a = BASE.withPollInterval(Duration.ofSeconds(7)).withClientAddress("198.51.100.7");
        ClientOptions b = BASE.withClientAddress("198.51.100.7").withPollInterval(Duration.ofSeconds(7));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, a.withMaxEventBytes(4096));
        assertNotEquals(BASE, a);
    }

    /** A pin the client cannot take is refused where it is made, naming the file and what it lacks. */
    @Test
    void aKeyFileWithoutAPublicKeyIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        LocalOrigin origin = LocalOrigin.start(dir, List.of());
        origin.close();
        Path privateKey = dir.resolve("origin.key");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyPin.ofPem(privateKey));
        assertTrue(e.getMessage().startsWith(privateKey + ": no 'PUBLIC KEY' block"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KeyPin.ofPem(dir.resolve("missing.pub")));
        assertTrue(e.getMessage().startsWith(dir.resolve("missing.pub") + ": cannot read key file"), e.getMessage());
        assertEquals(origin.keyId(), KeyPin.ofPem(origin.publicKey).keyId());
    }

    @Test
    void aBadSettingIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BASE.withReadTimeout(Duration.ZERO));
        assertTrue(e.getMessage().startsWith("readTimeout: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BASE.withMaxEventBytes(10));
        assertTrue(e.getMessage().startsWith("maxEventBytes: 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ClientOptions.of(URI.create("ftp://alto.example.net"), KeyPin.ofKeyId("Zh3kAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")));
    }

    /**
     * The client asks the origin for {@code /directory} and the signed paths at its root: an origin
     * URL with a path was taken and its path dropped without a word (a vendor who gave
     * {@code https://isp.example/alto} was answered by {@code https://isp.example/directory}).
     */
    @Test
    void anOriginWithAPathQueryOrFragmentIsRefusedByName() {
        KeyPin pin = KeyPin.ofKeyId("Zh3kAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        for (String url : List.of("https://alto.example.net/alto", "https://alto.example.net/directory",
                "https://alto.example.net/?x=1", "https://alto.example.net#top")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientOptions.of(URI.create(url), pin),
                    url);
            assertTrue(e.getMessage().startsWith("origin: " + url + " has a path, query or fragment (expected: scheme://host[:port]"),
                    e.getMessage());
        }
        assertEquals(URI.create("https://alto.example.net/"), ClientOptions.of(URI.create("https://alto.example.net/"), pin).origin());
        assertEquals(URI.create("http://127.0.0.1:8181"), ClientOptions.of(URI.create("http://127.0.0.1:8181"), pin).origin());
    }
}
