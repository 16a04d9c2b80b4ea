package org.rproxy.harness.load;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * How long a viewer waits before asking again after a {@code 503}: what the node's
 * {@code Retry-After} asks for (RFC 9110 §10.2.3), in either form — delay-seconds, or an
 * HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms a recipient must accept),
 * waited until, none when it has passed — and one second when there is none or it does not
 * parse. The wait is not capped: a back-off that runs past the run's deadline leaves the viewer
 * unfinished, and the report says so. (Only a wait beyond a day is taken as a day, to keep the
 * arithmetic in range.)
 */
final class RetryAfter {
    static final long DEFAULT_MILLIS = 1_000;
    static final long MAX_MILLIS = Duration.ofDays(1).toMillis();
    private static final DateTimeFormatter RFC_850 = DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'",
            java.util.Locale.US).withZone(java.time.ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy",
            java.util.Locale.US).withZone(java.time.ZoneOffset.UTC);

    private RetryAfter() {
    }

    static long millis(String header) {
        return millis(header, Instant.now());
    }

    /** @param now the present, against which an HTTP-date is read */
    static long millis(String header, Instant now) {
        if (header == null) {
            return DEFAULT_MILLIS;
        }
        String v = header.trim();
        if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return v.length() > 12 ? MAX_MILLIS : Math.min(MAX_MILLIS, Long.parseLong(v) * 1_000);
        }
        Instant at = date(v);
        if (at == null) {
            return DEFAULT_MILLIS;
        }
        return Math.max(0, Math.min(MAX_MILLIS, Duration.between(now, at).toMillis()));
    }

    private static Instant date(String v) {
        for (DateTimeFormatter f : new DateTimeFormatter[] {DateTimeFormatter.RFC_1123_DATE_TIME, RFC_850, ASCTIME}) {
            try {
                return ZonedDateTime.parse(v, f).toInstant();
            } catch (DateTimeParseException e) {
                // the next form
            }
        }
        return null;
    }
}
