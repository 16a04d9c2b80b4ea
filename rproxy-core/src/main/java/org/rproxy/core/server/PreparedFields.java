package org.rproxy.core.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * The header fields of each variant as the front end writes them, validated and turned into
 * ASCII once per variant instead of once per response: every 200 and 304 of a variant copies
 * them (a copy between Netty header maps neither validates nor hashes again), and the encoder
 * writes ASCII values with a plain memory copy, where it would encode a {@code String} char by
 * char. The {@code Date} value is likewise made once a second, and so is the whole head of a
 * variant's 200 ({@link #okHead}).
 *
 * <p>Variants are remembered by identity, weakly, and at most {@link #MAX_VARIANTS} of them: the
 * store's and a pull proxy's age-stamped variants (rebuilt once a second) are the same objects
 * across the responses of that second. Thread-safe; used by every event loop of a server.
 */
final class PreparedFields {
    static final int MAX_VARIANTS = 4096;
    /**
     * What selects the variant sent ({@link VariantChoice}): the client's {@code Accept-Encoding},
     * and whether the request carries {@code X-Varnish}. A cache that follows {@code Vary} then
     * never hands a stored gzip variant to a default Varnish in front of it (whose backend
     * requests carry {@code X-Varnish}: it would gunzip it for its identity clients, whose digest
     * check fails). The answer to such a Varnish names only {@code Accept-Encoding}
     * ({@link ResponseRenderer}).
     */
    static final String VARY_VALUE = "Accept-Encoding, X-Varnish";

    private final Cache<Variant, Slot> fields = Caffeine.newBuilder().weakKeys().maximumSize(MAX_VARIANTS)
            .executor(Runnable::run).build();
    private volatile DateValue date;

    /** A variant's fields, and the last whole 200 head made from them. */
    private static final class Slot {
        final HttpHeaders fields;
        volatile SharedHead ok;

        Slot(HttpHeaders fields) {
            this.fields = fields;
        }
    }

    /**
     * The head of a 200 as written during one second, for a representation of this
     * {@code max-age}, expiry and revalidation (all its freshness depends on), as header fields and, once it is
     * shared, as the bytes HTTP/1.1 writes. Not the representation itself: a slot is kept as long
     * as its variant, weakly, and a value that held the representation would hold the variant
     * (and a replaced body) for good.
     */
    static final class SharedHead {
        private static final byte[] STATUS_LINE = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] SEPARATOR = {':', ' '};
        private static final byte[] CRLF = {'\r', '\n'};

        private final long second;
        private final long maxAgeSeconds;
        private final Instant expires;
        private final Representation.Revalidation revalidation;
        private final HttpHeaders headers;
        private volatile boolean taken;
        private volatile ByteBuf encoded;

        SharedHead(long second, Representation r, HttpHeaders headers) {
            this.second = second;
            this.maxAgeSeconds = r.maxAgeSeconds();
            this.expires = r.expires();
            this.revalidation = r.revalidation();
            this.headers = headers;
        }

        boolean fits(long s, Representation r) {
            return second == s && maxAgeSeconds == r.maxAgeSeconds() && expires.equals(r.expires())
                    && revalidation == r.revalidation();
        }

        /** The fields: to write, never to change. */
        HttpHeaders headers() {
            return headers;
        }

        /**
         * The whole head as HTTP/1.1 bytes (status line, fields, empty line), to write as they
         * are: a view of its own each time, whose release frees nothing (the bytes go when the
         * head is no longer reachable). Null the first time it is asked for: a head is encoded
         * once a second response shares it, so an answer written once (a computed query) costs
         * no more than the encoder's work.
         */
        ByteBuf encoded() {
            ByteBuf e = encoded;
            if (e == null) {
                if (!taken) {
                    taken = true;
                    return null;
                }
                e = encode(headers);
                encoded = e;
            }
            return e.duplicate();
        }

        /**
         * As Netty's {@code HttpResponseEncoder} writes them: the fields were validated when
         * added, and every character is written as its low byte, as the encoder's ASCII writer
         * does. In direct memory, which the socket writes without a copy; memory the garbage
         * collector frees, since a head is shared by writes in flight on any connection.
         */
        static ByteBuf encode(HttpHeaders headers) {
            ByteBuf heap = Unpooled.buffer(512);
            heap.writeBytes(STATUS_LINE);
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> field = it.next();
                heap.writeCharSequence(field.getKey(), StandardCharsets.US_ASCII);
                heap.writeBytes(SEPARATOR);
                heap.writeCharSequence(field.getValue(), StandardCharsets.US_ASCII);
                heap.writeBytes(CRLF);
            }
            heap.writeBytes(CRLF);
            ByteBuffer direct = ByteBuffer.allocateDirect(heap.readableBytes());
            heap.readBytes(direct);
            direct.flip();
            return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
        }
    }

    /** One second's {@code Date} value. */
    private record DateValue(long second, AsciiString value) {
    }

    /**
     * The fields of {@code variant}, without {@code content-length} (the front end sets it), with
     * {@code vary: Accept-Encoding, X-Varnish} joined in; to copy, never to change.
     *
     * @throws IllegalArgumentException when a field cannot be written (a CR in a value, say)
     */
    HttpHeaders of(Variant variant) {
        return slot(variant).fields;
    }

    /**
     * The head of a 200 of {@code variant} of {@code representation} at {@code now}, its fields
     * made by {@code make} once a second and shared by every response of that second (a flash
     * crowd's thousands of responses a second cost one header map, and one encoding): to write,
     * never to change. Within a
     * second the fields are the same for every response: {@code Date} has whole seconds, and so
     * has the freshness, which counts whole seconds to a whole-second expiry (see
     * {@link Representation#maxAgeAt}) and differs only at the very instant a second starts; at
     * that instant a head of its own is made, not shared (nor encoded: its first use is its only one).
     */
    SharedHead okHead(Representation representation, Variant variant, Instant now, Supplier<HttpHeaders> make) {
        long second = now.getEpochSecond();
        if (now.getNano() == 0) {
            return new SharedHead(second, representation, make.get());
        }
        Slot slot = slot(variant);
        SharedHead ok = slot.ok;
        if (ok == null || !ok.fits(second, representation)) {
            ok = new SharedHead(second, representation, make.get());
            slot.ok = ok;
        }
        return ok;
    }

    private Slot slot(Variant variant) {
        return fields.get(variant, v -> new Slot(prepare(v)));
    }

    /** The {@code Date} value for {@code now} (RFC 9110 §6.6.1). */
    AsciiString date(Instant now) {
        long second = now.getEpochSecond();
        DateValue d = date;
        if (d == null || d.second() != second) {
            d = new DateValue(second, new AsciiString(DateFormatter.format(new Date(second * 1000))));
            date = d;
        }
        return d.value();
    }

    private static HttpHeaders prepare(Variant variant) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (HeaderField f : variant.headers()) {
            if (!f.name().equals("content-length")) {
                h.add(AsciiString.cached(f.name()), new AsciiString(f.value()));
            }
        }
        String vary = h.get(HttpHeaderNames.VARY);
        h.set(HttpHeaderNames.VARY, new AsciiString(vary(vary)));
        return h;
    }

    /** Our {@code Accept-Encoding, X-Varnish} joined to a {@code vary} the variant may bring. */
    private static String vary(String existing) {
        if (existing == null || existing.isBlank()) {
            return VARY_VALUE;
        }
        String lower = existing.toLowerCase(Locale.ROOT);
        if (lower.trim().equals("*")) {
            return existing;
        }
        StringBuilder b = new StringBuilder(existing);
        for (String name : VARY_VALUE.split(", ")) {
            if (!lower.contains(name.toLowerCase(Locale.ROOT))) {
                b.append(", ").append(name);
            }
        }
        return b.toString();
    }
}
