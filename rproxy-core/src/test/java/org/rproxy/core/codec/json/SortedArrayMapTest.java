package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SortedMap;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class SortedArrayMapTest {
    private static final TreeMap<String, Object> EXPECTED = new TreeMap<>(Map.of("b", 2, "d", 4, "f", 6, "h", 8));

    private static SortedArrayMap<Object> map() {
        return new SortedArrayMap<>(new String[] {"b", "d", "f", "h"}, new Object[] {2, 4, 6, 8});
    }

    @Test
    void behavesLikeATreeMap() {
        SortedArrayMap<Object> map = map();
        assertEquals(EXPECTED, map);
        assertEquals(EXPECTED.hashCode(), map.hashCode());
        assertEquals(List.copyOf(EXPECTED.keySet()), List.copyOf(map.keySet()));
        assertEquals(6, map.get("f"));
        assertNull(map.get("e"));
        assertNull(map.get(7));
        assertEquals("b", map.firstKey());
        assertEquals("h", map.lastKey());
    }

    @Test
    void viewsMatchThoseOfATreeMap() {
        SortedArrayMap<Object> map = map();
        assertEquals(EXPECTED.subMap("c", "g"), map.subMap("c", "g"));
        assertEquals(EXPECTED.subMap("d", "f"), map.subMap("d", "f"));
        assertEquals(EXPECTED.headMap("d"), map.headMap("d"));
        assertEquals(EXPECTED.tailMap("e"), map.tailMap("e"));
        SortedMap<String, Object> empty = map.tailMap("z");
        assertEquals(0, empty.size());
        assertThrows(NoSuchElementException.class, empty::firstKey);
        assertNull(map.subMap("c", "g").get("h"), "a view does not see keys outside its range");
    }

    @Test
    void isCopiedIntoATreeMapIntact() {
        assertEquals(EXPECTED, new TreeMap<>(map()));
    }
}
