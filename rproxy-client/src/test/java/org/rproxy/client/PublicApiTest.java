package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What an application sees of the client's types: the JDK's types and the client's own where a
 * type of {@code rproxy-core} would tie it to the library's insides, and one way to make options.
 */
class PublicApiTest {

    @Test
    void aVerifiedDocumentGivesOnlyTheJdksAndTheClientsTypes() {
        assertEquals(List.of(), coreTypesIn(VerifiedDocument.class));
    }

    @Test
    void clientOptionsAreMadeOnlyByOfAndTheirWithers() {
        for (Constructor<?> c : ClientOptions.class.getDeclaredConstructors()) {
            assertFalse(Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers()), c.toString());
        }
        assertEquals(List.of(), coreTypesIn(ClientOptions.class));
    }

    @Test
    void optionsKeepTheirDefaultsAndChecksAndEachWitherChangesOneSetting() {
        java.net.URI origin = java.net.URI.create("https://alto.example.net");
        KeyPin pin = KeyPin.ofKeyId("A".repeat(43));
        ClientOptions o = ClientOptions.of(origin, pin);
        assertEquals(java.time.Duration.ofSeconds(5), o.timeout());
        assertEquals(java.time.Duration.ofMinutes(5), o.coolDown());
        assertEquals(java.time.Duration.ofSeconds(60), o.pollInterval());
        assertEquals(java.time.Duration.ofSeconds(30), o.readTimeout());
        assertEquals(64 << 20, o.maxEventBytes());
        assertEquals(null, o.clientAddress());
        assertEquals(null, o.stateFile());
        assertEquals(null, o.sslContext());
        ClientOptions t = o.withTimeout(java.time.Duration.ofSeconds(2)).withClientAddress("192.0.2.1");
        assertEquals(java.time.Duration.ofSeconds(2), t.timeout());
        assertEquals("192.0.2.1", t.clientAddress());
        assertEquals(o.coolDown(), t.coolDown());
        assertEquals(java.time.Duration.ofSeconds(5), o.timeout(), "the options withered from are unchanged");
        assertEquals(o.withTimeout(java.time.Duration.ofSeconds(2)), o.withTimeout(java.time.Duration.ofSeconds(2)));
        assertEquals(o.withTimeout(java.time.Duration.ofSeconds(2)).hashCode(), t.withClientAddress(null).hashCode());
        assertMessage("timeout: PT0S (expected: > 0)", () -> o.withTimeout(java.time.Duration.ZERO));
        assertMessage("readTimeout: PT-1S (expected: > 0)", () -> o.withReadTimeout(java.time.Duration.ofSeconds(-1)));
        assertMessage("maxEventBytes: 1023 (expected: >= 1024)", () -> o.withMaxEventBytes(1023));
        assertMessage("clientAddress: nowhere (expected: an IP address)", () -> o.withClientAddress("nowhere"));
        assertMessage("origin: ftp://x (expected: an absolute http or https URL)",
                () -> ClientOptions.of(java.net.URI.create("ftp://x"), pin));
        org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class, () -> o.withPolicy(null));
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable e) {
        assertEquals(message, org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    /** Each public method or constructor of {@code type} that takes or gives a type of rproxy-core. */
    private static List<String> coreTypesIn(Class<?> type) {
        List<String> out = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getDeclaringClass() == type && mentionsCore(m.getGenericReturnType(), m.getGenericParameterTypes())) {
                out.add(m.toGenericString());
            }
        }
        for (Constructor<?> c : type.getConstructors()) {
            if (mentionsCore(void.class, c.getGenericParameterTypes())) {
                out.add(c.toGenericString());
            }
        }
        return out;
    }

    private static boolean mentionsCore(Type returned, Type[] parameters) {
        if (returned.getTypeName().contains("org.rproxy.core.")) {
            return true;
        }
        for (Type p : parameters) {
            if (p.getTypeName().contains("org.rproxy.core.")) {
                return true;
            }
        }
        return false;
    }
}
