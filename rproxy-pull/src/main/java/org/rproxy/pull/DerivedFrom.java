package org.rproxy.pull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.core.store.Representation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Reads the {@code Alto-Derived-From} header of an unsigned computed answer: the signed
 * documents (path and entity tag) it was computed from, as the origin names them
 * ({@code "<id>";path="<path>";etag="<tag>", ...}). The paths of the last header values read
 * are remembered (a pure function of the value, bounded in count), since a computed answer
 * past half its {@code max-age} names its sources on every request for it
 * ({@link PullService}); re-stamped copies share the value's string. Thread-safe.
 */
final class DerivedFrom {
    static final String HEADER = "alto-derived-from";
    private static final Pattern SOURCE = Pattern.compile("path=\"([^\"]*)\";etag=\"([^\"]*)\"");
    private static final Cache<String, List<String>> PATHS = Caffeine.newBuilder().maximumSize(1024).build();

    private DerivedFrom() {
    }

    /** The paths of the named sources (empty when the header is absent). */
    static List<String> paths(CachedCopy h) {
        return paths(h.base());
    }

    /** The paths of the sources {@code r} names (empty when the header is absent). */
    static List<String> paths(Representation r) {
        return r.identity().header(HEADER).map(v -> PATHS.get(v, DerivedFrom::read)).orElse(List.of());
    }

    private static List<String> read(String value) {
        List<String> out = new ArrayList<>();
        Matcher m = SOURCE.matcher(value);
        while (m.find()) {
            out.add(m.group(1));
        }
        return List.copyOf(out);
    }

    /**
     * True when the answer names at least one source and each is held, signed, usable at
     * {@code now} and of the named version, and fresh when its upstream said it must be
     * revalidated once stale ({@link CachedVariant#mustRevalidate}): a stale answer cannot rest
     * on a copy that may not be used stale itself.
     */
    static boolean sourcesValid(CachedCopy h, Function<CacheKey, Entry> entries, Instant now) {
        Matcher m = SOURCE.matcher(h.identity().variant().header(HEADER).orElse(""));
        boolean any = false;
        while (m.find()) {
            any = true;
            Entry e = entries.apply(CacheKey.get(m.group(1)));
            CachedCopy source = e == null ? null : e.held();
            if (source == null || !source.signed() || !source.usableAt(now)
                    || source.identity().mustRevalidate() && !source.freshAt(now)
                    || !("\"" + m.group(2) + "\"").equals(source.identity().variant().etag())) {
                return false;
            }
        }
        return any;
    }
}
