package org.rproxy.core.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.AltoException;

class CanonicalJsonWriterTest {

    private static String text(CanonicalJsonWriter w) {
        return new String(w.toUtf8(), StandardCharsets.UTF_8);
    }

    @Test
    void writesWhatTheCanonicalizerWritesForTheSameValue() {
        CanonicalJsonWriter w = new CanonicalJsonWriter(16);
        w.beginObject()
                .name("\r").value("\u20ac$\u000f\nA'B\"\\\\\"/")
                .name("1").value(1e30)
                .name("a").beginArray().value(-0.0).value(4.5).value(true).nullValue().beginObject().endObject()
                .beginArray().endArray().endArray()
                .name("\u00f6").value(false)
                .name("\ud83d\ude00").value(333333333.33333329)
                .endObject();
        String source = "{\"\\u00f6\":false,\"a\":[-0,4.50,true,null,{},[]],\"1\":1E30,"
                + "\"\\r\":\"\\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\",\"\\ud83d\\ude00\":333333333.33333329}";
        assertEquals(new String(Jcs.canonicalize(source.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8), text(w));
    }

    @Test
    void namesOutOfCanonicalOrderOrRepeatedAreRefused() {
        CanonicalJsonWriter w = new CanonicalJsonWriter(16).beginObject().name("b").value(1);
        assertThrows(IllegalStateException.class, () -> w.name("a"));
        assertThrows(IllegalStateException.class, () -> w.name("b"));
        // UTF-16 code units, not code points: U+FB01 sorts after a surrogate pair's high half.
        CanonicalJsonWriter units = new CanonicalJsonWriter(16).beginObject().name("\ud83d\ude00").value(1);
        units.name("\ufb01").value(2).endObject();
        assertEquals("{\"\ud83d\ude00\":1,\"\ufb01\":2}", text(units));
    }

    @Test
    void misuseIsRefused() {
        assertThrows(IllegalStateException.class, () -> new CanonicalJsonWriter(4).beginObject().value(1));
        assertThrows(IllegalStateException.class, () -> new CanonicalJsonWriter(4).beginArray().name("a"));
        assertThrows(IllegalStateException.class, () -> new CanonicalJsonWriter(4).beginArray().endObject());
        assertThrows(IllegalStateException.class, () -> new CanonicalJsonWriter(4).beginObject().endArray());
        assertThrows(IllegalStateException.class, () -> new CanonicalJsonWriter(4).beginObject().name("a").endObject());
        assertThrows(IllegalStateException.class, () -> new CanonicalJsonWriter(4).beginObject().toUtf8());
        assertThrows(IllegalStateException.class, () -> new CanonicalJsonWriter(4).value(1).value(2));
        assertThrows(IllegalStateException.class, () -> new CanonicalJsonWriter(4).toUtf8());
    }

    @Test
    void whatJsonCannotCarryIsAnAltoSyntaxError() {
        assertThrows(AltoException.class, () -> new CanonicalJsonWriter(4).value(Double.NaN));
        assertThrows(AltoException.class, () -> new CanonicalJsonWriter(4).value(Double.POSITIVE_INFINITY));
        assertThrows(AltoException.class, () -> new CanonicalJsonWriter(4).value("lone \ud800 surrogate"));
    }

    @Test
    void deepNestingGrowsTheStacks() {
        CanonicalJsonWriter w = new CanonicalJsonWriter(4);
        for (int i = 0; i < 40; i++) {
            w.beginArray();
        }
        for (int i = 0; i < 40; i++) {
            w.endArray();
        }
        assertEquals("[".repeat(40) + "]".repeat(40), text(w));
    }
}
