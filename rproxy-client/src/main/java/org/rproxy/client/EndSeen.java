package org.rproxy.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An update stream that remembers whether its end was read, so that the follower can tell a
 * stream the source ended from one it stopped reading itself (an update it left the source for,
 * or one it could not record), without reading on.
 */
final class EndSeen extends FilterInputStream {
    private volatile boolean ended;

    EndSeen(InputStream in) {
        super(in);
    }

    /** True once a read found the end of the stream. */
    boolean ended() {
        return ended;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        ended |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        ended |= n < 0;
        return n;
    }
}
