package org.rproxy.harness.load;

/**
 * How long a viewer waits before asking again after a {@code 503}: the {@code Retry-After} the
 * node sent in seconds (RFC 9110 §10.2.3; the date form is not used by rproxy), one second when
 * there is none or it does not parse, five at most so a run stays bounded in time.
 */
final class RetryAfter {
    static final long DEFAULT_MILLIS = 1_000;
    static final long MAX_MILLIS = 5_000;

    private RetryAfter() {
    }

    static long millis(String header) {
        if (header == null) {
            return DEFAULT_MILLIS;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds < 0 ? DEFAULT_MILLIS : Math.min(MAX_MILLIS, seconds * 1_000);
        } catch (NumberFormatException e) {
            return DEFAULT_MILLIS;
        }
    }
}
