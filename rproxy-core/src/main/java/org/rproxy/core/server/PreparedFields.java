package org.rproxy.core.server;

import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

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
    private static final String VARY_VALUE = "Accept-Encoding";

    private final Cache<Variant, Slot> fields = Caffeine.newBuilder().weakKeys().maximumSize(MAX_VARIANTS)
            .executor(Runnable::run).build();
    private volatile DateValue date;

    /** A variant's fields, and the last whole 200 head made from them. */
    private static final class Slot {
        final HttpHeaders fields;
        volatile OkHead ok;

        Slot(HttpHeaders fields) {
            this.fields = fields;
        }
    }

    /**
     * The head of a 200 as written during one second, for a representation of this
     * {@code max-age} and expiry (all its freshness depends on). Not the representation itself:
     * a slot is kept as long as its variant, weakly, and a value that held the representation
     * would hold the variant (and a replaced body) for good.
     */
    private record OkHead(long second, long maxAgeSeconds, Instant expires, HttpHeaders headers) {
        boolean fits(long s, Representation r) {
            return second == s && maxAgeSeconds == r.maxAgeSeconds() && expires.equals(r.expires());
        }
    }

    /** One second's {@code Date} value. */
    private record DateValue(long second, AsciiString value) {
    }

    /**
     * The fields of {@code variant}, without {@code content-length} (the front end sets it), with
     * {@code vary: Accept-Encoding} joined in; to copy, never to change.
     *
     * @throws IllegalArgumentException when a field cannot be written (a CR in a value, say)
     */
    HttpHeaders of(Variant variant) {
        return slot(variant).fields;
    }

    /**
     * The head fields of a 200 of {@code variant} of {@code representation} at {@code now}, made
     * by {@code make} once a second and shared by every response of that second (a flash crowd's
     * thousands of responses a second cost one header map): to write, never to change. Within a
     * second the fields are the same for every response: {@code Date} has whole seconds, and so
     * has the freshness, which counts whole seconds to a whole-second expiry (see
     * {@link Representation#maxAgeAt}) and differs only at the very instant a second starts; at
     * that instant a head of its own is made, not shared.
     */
    HttpHeaders okHead(Representation representation, Variant variant, Instant now, Supplier<HttpHeaders> make) {
        if (now.getNano() == 0) {
            return make.get();
        }
        Slot slot = slot(variant);
        long second = now.getEpochSecond();
        OkHead ok = slot.ok;
        if (ok == null || !ok.fits(second, representation)) {
            ok = new OkHead(second, representation.maxAgeSeconds(), representation.expires(),
                    make.get());
            slot.ok = ok;
        }
        return ok.headers();
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

    /** Our {@code Accept-Encoding} joined to a {@code vary} the variant may bring. */
    private static String vary(String existing) {
        if (existing == null || existing.isBlank()) {
            return VARY_VALUE;
        }
        String lower = existing.toLowerCase(Locale.ROOT);
        if (lower.contains("accept-encoding") || lower.trim().equals("*")) {
            return existing;
        }
        return existing + ", " + VARY_VALUE;
    }
}
