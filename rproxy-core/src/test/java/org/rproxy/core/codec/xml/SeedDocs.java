package org.rproxy.core.codec.xml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.rproxy.core.model.Bytes;

/** Loads the seed's XML examples from {@code src/test/resources/seed}. */
final class SeedDocs {
    private SeedDocs() {
    }

    static Bytes load(String name) {
        try (InputStream in = SeedDocs.class.getResourceAsStream("/seed/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource /seed/" + name);
            }
            return Bytes.wrap(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return load(name).asUtf8();
    }

    /** The seed's cost map with its one typo ({@code cost="15/>}) mended. */
    static Bytes costMapFixed() {
        String s = text("costmap-malformed.xml");
        String fixed = s.replace("cost=\"15/>", "cost=\"15\"/>");
        if (fixed.equals(s)) {
            throw new IllegalStateException("the seed cost map no longer holds its typo");
        }
        return Bytes.utf8(fixed);
    }

    /** The seed's ranking answer with its typographic quote mended. */
    static Bytes rankingFixed() {
        String s = text("ranking-malformed.xml");
        String fixed = s.replace("size=\u201c3\"", "size=\"3\"");
        if (fixed.equals(s)) {
            throw new IllegalStateException("the seed ranking answer no longer holds its typo");
        }
        return Bytes.utf8(fixed);
    }
}
