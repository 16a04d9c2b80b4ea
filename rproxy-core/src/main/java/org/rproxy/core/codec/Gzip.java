package org.rproxy.core.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

import org.rproxy.core.model.Bytes;

/**
 * The one gzip every node uses for a document's gzip variant: the JDK's deflater at its default
 * level, header MTIME 0, the body written in one call. It is deterministic, and must stay the same
 * everywhere: the origin signs the digest of these bytes, and a push subscriber that receives
 * only the identity body (or a merge patch) rebuilds the gzip variant with this method and
 * checks it against that signature byte for byte. Stateless; any thread.
 */
public final class Gzip {

    private Gzip() {
    }

    /** The gzip of {@code body}, the same bytes for the same body on every node. */
    public static Bytes deterministic(Bytes body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length() / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            gz.write(body.unsafeArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return Bytes.wrap(out.toByteArray());
    }
}
