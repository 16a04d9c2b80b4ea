package org.rproxy.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a node, a shared cache, reads the freshness directives of a {@code Cache-Control} value:
 * one rule for the pull proxy's copies fetched upstream and for a signed bundle a server holds
 * ({@code SignedBundle}), so that one response is held as fresh for as long whichever way it came.
 * Stateless.
 */
public final class SharedFreshness {

    private SharedFreshness() {
    }

    /**
     * The freshness lifetime for a shared cache: {@code s-maxage} when present (RFC 9111
     * §5.2.2.10 and §4.2.1: over {@code max-age}, 0 when unusable), else {@code max-age}; 0 when
     * neither is given, or the response may not be reused without asking ({@link #seconds}).
     */
    public static long maxAge(String cacheControl) {
        if (cacheControl != null) {
            for (String directive : directives(cacheControl)) {
                if (directive.toLowerCase(Locale.ROOT).startsWith("s-maxage=")) {
                    return seconds(cacheControl, "s-maxage");
                }
            }
        }
        return seconds(cacheControl, "max-age");
    }

    /**
     * Whether a shared cache must revalidate a stale copy before serving it, and what to pass on:
     * {@code must-revalidate} (RFC 9111 §5.2.2.2) for every cache; {@code proxy-revalidate}
     * (§5.2.2.8), or {@code s-maxage}, which carries its meaning for a shared cache (§5.2.2.10),
     * for shared ones. Either outweighs the stale windows beside it (§4.2.4).
     */
    public static Representation.Revalidation revalidation(String cacheControl) {
        Representation.Revalidation found = Representation.Revalidation.NONE;
        if (cacheControl == null) {
            return found;
        }
        for (String directive : directives(cacheControl)) {
            String d = directive.toLowerCase(Locale.ROOT);
            if (d.equals("must-revalidate")) {
                return Representation.Revalidation.EVERY_CACHE;
            }
            if (d.equals("proxy-revalidate") || d.startsWith("s-maxage=")) {
                found = Representation.Revalidation.SHARED_CACHES;
            }
        }
        return found;
    }

    /**
     * The delta-seconds of directive {@code name} (lower case, for example {@code max-age}): the
     * last one given, quotes allowed; 0 when absent or unusable, and when the value says
     * {@code no-store}, {@code no-cache} or {@code private}, which leave a shared cache no time
     * to reuse the response in.
     */
    public static long seconds(String cacheControl, String name) {
        if (cacheControl == null) {
            return 0;
        }
        String prefix = name + "=";
        long found = 0;
        for (String directive : directives(cacheControl)) {
            String d = directive.toLowerCase(Locale.ROOT);
            if (d.equals("no-store") || d.equals("no-cache") || d.equals("private")) {
                return 0;
            }
            if (d.startsWith(prefix)) {
                found = deltaSeconds(d.substring(prefix.length()).replace("\"", ""));
            }
        }
        return found;
    }

    /**
     * The directives of a {@code Cache-Control} value, each trimmed, empty ones left out: split at
     * the commas outside quoted strings (RFC 9110 §5.6.4, a backslash quoting the character after
     * it), since an argument may hold commas. Split at every comma, an extension's quoted argument
     * such as {@code community="ops, must-revalidate"} gave a directive of its own that a copy
     * was then read by (held for no time, or never served stale).
     */
    static List<String> directives(String cacheControl) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int from = 0;
        for (int i = 0; i < cacheControl.length(); i++) {
            char c = cacheControl.charAt(i);
            if (quoted && c == '\\') {
                i++; // a quoted pair: the next character is taken as it is
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                add(out, cacheControl.substring(from, i));
                from = i + 1;
            }
        }
        add(out, cacheControl.substring(from));
        return out;
    }

    private static void add(List<String> directives, String directive) {
        String d = directive.trim();
        if (!d.isEmpty()) {
            directives.add(d);
        }
    }

    /**
     * A delta-seconds value (RFC 9111 §1.2.2): its digits, 0 when it is not one, and
     * {@link Integer#MAX_VALUE} for one too large (as §1.2.2 has a recipient take it).
     */
    public static long deltaSeconds(String digits) {
        if (digits.isEmpty() || digits.length() > 10) {
            return digits.length() > 10 && digits.chars().allMatch(Character::isDigit) ? Integer.MAX_VALUE : 0;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                return 0;
            }
        }
        return Long.parseLong(digits);
    }
}
