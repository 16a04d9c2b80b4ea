package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.Bytes;

/** The {@code alto-resource} header: an RFC 8941 Item naming what a signed body answers. */
class AltoResourceTest {

    @Test
    void writesAGetResource() {
        AltoResource r = AltoResource.of("default-network-map", "/networkmap/default-network-map");
        assertEquals("\"default-network-map\";path=\"/networkmap/default-network-map\"", r.toHeader());
        assertEquals(r, AltoResource.parse(r.toHeader()));
    }

    @Test
    void writesAQueryResourceWithTheDigestOfItsInput() {
        byte[] input = "{\"pids\":[\"PID1\"]}".getBytes(StandardCharsets.UTF_8);
        AltoResource r = AltoResource.forQuery("filtered-cost-map", "/costmap/filtered", input);
        assertEquals(Bytes.wrap(ContentDigest.sha256Raw(input)), r.inputDigest());
        String header = r.toHeader();
        assertTrue(header.startsWith("\"filtered-cost-map\";path=\"/costmap/filtered\";input=:"), header);
        assertEquals(r, AltoResource.parse(header));
    }

    @Test
    void parsesWithSpacesAndUnknownParameters() {
        AltoResource r = AltoResource.parse("  \"my-map\";v=2;path=\"/m?x=1\"  ");
        assertEquals("my-map", r.id());
        assertEquals("/m?x=1", r.path());
        assertNull(r.inputDigest());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "my-map;path=\"/m\"",
        "\"my-map\"",
        "\"my-map\";path=m",
        "\"my-map\";path=\"m\"",
        "\"my map\";path=\"/m\"",
        "\"my-map\";path=\"/m\";input=\"abc\"",
        "\"my-map\";path=\"/m\";input=:AAAA:",
        "\"my-map\";path=\"/m\", \"other\";path=\"/o\"",
        "\"my-map\";path=\"/m\"\u00e9",
    })
    void refusesMalformedHeaders(String header) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AltoResource.parse(header));
        assertTrue(e.getMessage().startsWith("alto-resource: "), e.getMessage());
    }

    @Test
    void refusesAPathWithSpaces() {
        assertThrows(IllegalArgumentException.class, () -> AltoResource.of("m", "/a b"));
    }
}
