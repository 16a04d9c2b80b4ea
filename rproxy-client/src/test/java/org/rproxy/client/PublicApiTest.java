package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What an application sees of the client's types: the JDK's types and the client's own, never a
 * type of {@code rproxy-core}, which would tie it to the library's insides; and one way to make
 * options. The one seam in core's terms is {@link OverlaySource}, which {@code rproxy-overlay}
 * implements (a bundle and the directory it is looked up by are core's): an application only
 * passes one to {@link AltoClient#bootstrap(ClientOptions, OverlaySource)}.
 */
class PublicApiTest {
    /** The public members that take or give a core type: the overlay seam's, and no other. */
    private static final List<String> OVERLAY_SEAM = List.of(
            "public abstract java.util.Iterator<org.rproxy.client.OverlaySource$Offer> org.rproxy.client.OverlaySource"
                    + ".offers(org.rproxy.core.model.Directory,java.lang.String,java.lang.String,java.time.Instant)",
            "public org.rproxy.core.bundle.SignedBundle org.rproxy.client.OverlaySource$Offer.bundle()",
            "public default void org.rproxy.client.OverlaySource.held(org.rproxy.core.bundle.SignedBundle)",
            "public org.rproxy.client.OverlaySource$Offer(java.net.URI,org.rproxy.core.bundle.SignedBundle,java.lang.String)");

    @Test
    void noPublicTypeOfTheClientTakesOrGivesACoreTypeButTheOverlaySeam() throws Exception {
        List<String> found = new ArrayList<>();
        for (Class<?> type : publicTypes()) {
            found.addAll(coreTypesIn(type));
            for (java.lang.reflect.Field f : type.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers()) && f.getGenericType().getTypeName().contains("org.rproxy.core.")) {
                    found.add(f.toGenericString());
                }
            }
            if (type.getSuperclass() != null && type.getSuperclass().getName().startsWith("org.rproxy.core.")) {
                found.add(type + " extends " + type.getSuperclass().getName());
            }
        }
        java.util.Collections.sort(found);
        assertEquals(OVERLAY_SEAM.stream().sorted().toList(), found, "a public type of the client takes or gives a type of rproxy-core: give an "
                + "application the JDK's types or a small type of the client's own (as RankedEndpoint, CostType, MapVersion)");
    }

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

    /** Every public class, interface, record and enum of the client, nested ones too (from its class folder or jar). */
    private static List<Class<?>> publicTypes() throws Exception {
        java.net.URI where = AltoClient.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        java.nio.file.Path root = java.nio.file.Path.of(where);
        List<Class<?>> out = new ArrayList<>();
        try (java.nio.file.FileSystem jar = root.toString().endsWith(".jar")
                ? java.nio.file.FileSystems.newFileSystem(root) : null;
             java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(
                     (jar == null ? root : jar.getPath("/")).resolve("org/rproxy/client"))) {
            for (java.nio.file.Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".class") && !name.matches(".*\\$\\d.*")) {
                    Class<?> c = Class.forName("org.rproxy.client." + name.substring(0, name.length() - ".class".length()));
                    if (isPublicAllTheWay(c)) {
                        out.add(c);
                    }
                }
            }
        }
        assertTrue(out.contains(AltoClient.class) && out.contains(ClientException.InvalidResponse.class), out.toString());
        return out;
    }

    private static boolean isPublicAllTheWay(Class<?> c) {
        for (Class<?> t = c; t != null; t = t.getEnclosingClass()) {
            if (!Modifier.isPublic(t.getModifiers())) {
                return false;
            }
        }
        return true;
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
