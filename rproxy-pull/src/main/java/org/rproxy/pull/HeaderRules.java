package org.rproxy.pull;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureBase;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation.Revalidation;
import org.rproxy.core.store.SharedFreshness;

/**
 * Which upstream header fields a proxy keeps, and what it reads from them (RFC 9110 §7.6,
 * RFC 9111 §§4.2-4.3), {@code date} included, before dropping it. Kept: everything end-to-end, including the signed fields, untouched.
 * Dropped: hop-by-hop fields (those listed and those the {@code connection} fields name, RFC 9110
 * §7.6.1, but for a field the origin's signature covers: see {@link #stored}), the ones the front end writes per response ({@code date},
 * {@code cache-control}, {@code content-length}, {@code age}), and the ones an HTTP cache in
 * between writes about itself ({@code server}, {@code accept-ranges}, which would claim range
 * support this proxy does not have, {@code x-cache}, {@code x-cache-*}, {@code x-varnish}).
 * {@code via} is kept and this proxy's own entry appended. Stateless.
 */
final class HeaderRules {
    /** The hop-by-hop fields by name (RFC 9110 §7.6.1), which no proxy passes on. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade");
    private static final Set<String> DROPPED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization",
            "date", "cache-control", "content-length", "age",
            "server", "accept-ranges", "x-cache", "x-varnish");
    /** Fields named with this prefix are a cache's own (nginx's {@code x-cache-status} in the shipped config). */
    private static final String CACHE_PREFIX = "x-cache-";
    /** The signature's own fields: never taken for hop-by-hop, whatever names them. */
    private static final Set<String> SIGNATURE_FIELDS = Set.of("signature", "signature-input");
    /** What a 304 may not change in the stored fields (RFC 9111 §3.2 and §4.3.4). */
    private static final Set<String> NOT_FRESHENED = Set.of("content-length", "content-encoding", "via");

    private HeaderRules() {
    }

    /**
     * The fields to store for a 200, with {@code via} ending in this proxy's {@code viaEntry}. The
     * fields the upstream's {@code connection} names are dropped with it, but a field the
     * signature covers is kept whatever names it: a client verifying the copy needs it (as this
     * proxy does, merging a 304 into it), and naming it there is a hop in between misbehaving,
     * not the origin's word.
     */
    static List<HeaderField> stored(List<HeaderField> upstream, String viaEntry) {
        List<HeaderField> out = new ArrayList<>(upstream.size() + 1);
        Set<String> named = connectionNamed(upstream);
        String via = null;
        for (HeaderField h : upstream) {
            if (dropped(h.name()) || named.contains(h.name())) {
                continue;
            }
            if (h.name().equals("via")) {
                via = via == null ? h.value() : via + ", " + h.value();
                continue;
            }
            out.add(h);
        }
        out.add(new HeaderField("via", via == null ? viaEntry : via + ", " + viaEntry));
        return out;
    }

    /**
     * The stored fields updated by a 304's (RFC 9111 §4.3.4): each field the 304 carries replaces
     * the stored ones of that name; the others stay.
     */
    static List<HeaderField> freshened(List<HeaderField> stored, List<HeaderField> notModified) {
        List<HeaderField> fresh = new ArrayList<>();
        Set<String> named = connectionNamed(notModified);
        for (HeaderField h : notModified) {
            if (!dropped(h.name()) && !NOT_FRESHENED.contains(h.name()) && !named.contains(h.name())) {
                fresh.add(h);
            }
        }
        List<HeaderField> out = new ArrayList<>(stored.size() + fresh.size());
        for (HeaderField h : stored) {
            if (!containsName(fresh, h.name())) {
                out.add(h);
            }
        }
        out.addAll(fresh);
        return out;
    }

    /**
     * The names the {@code connection} fields of {@code fields} list (RFC 9110 §7.6.1: hop-by-hop,
     * never passed on), lower case, but for those the signature in {@code fields} covers.
     */
    private static Set<String> connectionNamed(List<HeaderField> fields) {
        Set<String> named = new HashSet<>();
        for (HeaderField h : fields) {
            if (h.name().equals("connection")) {
                for (String option : h.value().split(",")) {
                    String name = option.trim().toLowerCase(Locale.ROOT);
                    if (!name.isEmpty()) {
                        named.add(name);
                    }
                }
            }
        }
        if (!named.isEmpty()) {
            named.removeAll(signed(fields));
            named.removeAll(SIGNATURE_FIELDS);
        }
        return named;
    }

    /**
     * The first hop-by-hop field by name ({@code connection}, {@code te}, {@code transfer-encoding}
     * ...) that the signature in {@code fields} covers, or null. No proxy can pass such a field on
     * (HTTP/2 has none of them), so a copy signed over one could not be verified past the first
     * hop: an origin's mistake, refused ({@link Admission}) rather than served unverifiable.
     */
    static String signedHopByHop(List<HeaderField> fields) {
        if (fields.stream().noneMatch(h -> HOP_BY_HOP.contains(h.name()))) {
            return null; // a covered field is present (else the signature fails): none to look for
        }
        for (String name : signed(fields)) {
            if (HOP_BY_HOP.contains(name)) {
                return name;
            }
        }
        return null;
    }

    /** The field names the ALTO signatures in {@code fields} cover, in order; none when one does not parse. */
    private static List<String> signed(List<HeaderField> fields) {
        if (!containsName(fields, "signature-input")) {
            return List.of();
        }
        // the signature base (RFC 9421 §2.5) lists each covered component on a line of its own: "name": value
        List<String> names = new ArrayList<>();
        for (SignatureBase base : ResponseVerifier.signedBases(lookup(fields))) {
            for (String line : base.text().split("\n")) {
                int end = line.indexOf('"', 1);
                if (line.startsWith("\"") && end > 1 && !line.startsWith("\"@")) {
                    names.add(line.substring(1, end));
                }
            }
        }
        return names;
    }

    private static boolean dropped(String name) {
        return DROPPED.contains(name) || name.startsWith(CACHE_PREFIX);
    }

    /** A header lookup over {@code fields}: the values of a name joined with ", ", or null. */
    static Function<String, String> lookup(List<HeaderField> fields) {
        return name -> {
            String joined = null;
            for (HeaderField h : fields) {
                if (h.name().equals(name)) {
                    joined = joined == null ? h.value() : joined + ", " + h.value();
                }
            }
            return joined;
        };
    }

    /** {@code max-age} of a {@code cache-control} value (RFC 9111 §5.2.2.1), 0 when absent or unusable. */
    static long maxAge(String cacheControl) {
        return SharedFreshness.seconds(cacheControl, "max-age");
    }

    /**
     * The freshness lifetime of a {@code cache-control} value for a shared cache, which this proxy
     * is: {@code s-maxage} when present, else {@code max-age} ({@link SharedFreshness#maxAge}, the
     * rule a signed bundle offered here is read by too).
     */
    static long sharedMaxAge(String cacheControl) {
        return SharedFreshness.maxAge(cacheControl);
    }

    /**
     * {@code stale-while-revalidate} of a {@code cache-control} value (RFC 5861 §3), 0 when absent
     * or when the value also says {@link #mustRevalidate}.
     */
    static long staleWhileRevalidate(String cacheControl) {
        return mustRevalidate(cacheControl) ? 0 : SharedFreshness.seconds(cacheControl, "stale-while-revalidate");
    }

    /**
     * {@code stale-if-error} of a {@code cache-control} value (RFC 5861 §4), 0 when absent or when
     * the value also says {@link #mustRevalidate}.
     */
    static long staleIfError(String cacheControl) {
        return mustRevalidate(cacheControl) ? 0 : SharedFreshness.seconds(cacheControl, "stale-if-error");
    }

    /**
     * True when a {@code cache-control} value forbids this proxy, a shared cache, to serve the
     * response stale without revalidating it: {@code must-revalidate} (RFC 9111 §5.2.2.2),
     * {@code proxy-revalidate} (§5.2.2.8), or {@code s-maxage}, which for a shared cache carries
     * the meaning of {@code proxy-revalidate} (§5.2.2.10). Such a prohibition outweighs the stale
     * windows the same value grants (RFC 9111 §4.2.4), so both count as 0: past its freshness the
     * copy is revalidated before it is served, and an upstream that cannot be reached gets the
     * client 504.
     */
    static boolean mustRevalidate(String cacheControl) {
        return revalidation(cacheControl).required();
    }

    /** What {@link #mustRevalidate} reads, as it is passed on downstream ({@link SharedFreshness#revalidation}). */
    static Revalidation revalidation(String cacheControl) {
        return SharedFreshness.revalidation(cacheControl);
    }

    /** The {@code age} value (RFC 9111 §5.1): non-negative seconds, 0 when absent or unusable. */
    static long age(String age) {
        return age == null ? 0 : SharedFreshness.deltaSeconds(age.trim());
    }

    /**
     * The corrected initial age of a response (RFC 9111 §4.2.3): the larger of its apparent age
     * ({@code responseTime} minus its {@code date}) and its {@code age} plus the response delay
     * (from sending the request to {@code responseTime}). The apparent age counts where a cache
     * in between passes its stored {@code Date} on but does not update {@code Age}. It is 0 when
     * {@code date} is absent, not an IMF-fixdate (RFC 9110 §5.6.7) or in the future: a sender
     * whose clock runs ahead does not make copies younger than their {@code Age} says.
     */
    static long initialAge(String age, String date, Instant responseTime, Duration responseDelay) {
        Instant dated = httpDate(date);
        long apparent = dated == null ? 0 : Math.max(0, Duration.between(dated, responseTime).getSeconds());
        long corrected = age(age) + Math.max(0, responseDelay.getSeconds());
        return Math.max(apparent, corrected);
    }

    /** An IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}), or null when absent or not one. */
    private static Instant httpDate(String date) {
        if (date == null) {
            return null;
        }
        try {
            return DateTimeFormatter.RFC_1123_DATE_TIME.parse(date.trim(), Instant::from);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static boolean containsName(List<HeaderField> fields, String name) {
        for (HeaderField h : fields) {
            if (h.name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
