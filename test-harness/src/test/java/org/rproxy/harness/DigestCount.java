package org.rproxy.harness;

import java.security.MessageDigest;
import java.security.MessageDigestSpi;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Counts the SHA-256 digests the JVM computes while it is open, by thread and input length: a JCA
 * provider put first, which hands each digest to the JDK's own. A body's {@code Content-Digest} is
 * checked with the JDK's SHA-256 ({@code ContentDigest}), so this tells how many times a body was
 * verified, and on which thread, without a hook in the product. One at a time per JVM; close it.
 */
public final class DigestCount implements AutoCloseable {
    private static final String NAME = "rproxy-test-digest-count";
    private static final Queue<Digest> SEEN = new ConcurrentLinkedQueue<>();

    /** One digest: the thread that computed it and how many bytes it took in. */
    public record Digest(String thread, long length) {
    }

    private DigestCount() {
    }

    /** Starts counting (what was counted before is forgotten). */
    public static DigestCount start() {
        if (Security.getProvider(NAME) != null) {
            throw new IllegalStateException("a DigestCount is open already");
        }
        SEEN.clear();
        Provider p = new Provider(NAME, "1", "counts SHA-256 digests for a test") {
            private static final long serialVersionUID = 1L;
        };
        p.put("MessageDigest.SHA-256", Sha256.class.getName());
        Security.insertProviderAt(p, 1);
        return new DigestCount();
    }

    /** Digests of {@code length} bytes computed on threads whose name starts with {@code threadPrefix}. */
    public long of(String threadPrefix, long length) {
        return SEEN.stream().filter(d -> d.thread().startsWith(threadPrefix) && d.length() == length).count();
    }

    /** Every digest counted so far. */
    public List<Digest> all() {
        return List.copyOf(SEEN);
    }

    @Override
    public void close() {
        Security.removeProvider(NAME);
    }

    /** The counting SHA-256: the JDK's own ({@code SUN}), with the bytes taken in counted. */
    public static final class Sha256 extends MessageDigestSpi {
        private final MessageDigest real;
        private long length;

        public Sha256() throws NoSuchAlgorithmException, NoSuchProviderException {
            real = MessageDigest.getInstance("SHA-256", "SUN");
        }

        @Override
        protected void engineUpdate(byte input) {
            real.update(input);
            length++;
        }

        @Override
        protected void engineUpdate(byte[] input, int offset, int len) {
            real.update(input, offset, len);
            length += len;
        }

        @Override
        protected byte[] engineDigest() {
            SEEN.add(new Digest(Thread.currentThread().getName(), length));
            length = 0;
            return real.digest();
        }

        @Override
        protected void engineReset() {
            real.reset();
            length = 0;
        }

        @Override
        protected int engineGetDigestLength() {
            return real.getDigestLength();
        }
    }
}
