package org.rproxy.app;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

import org.rproxy.core.config.Durations;

/**
 * Checks of {@code rproxy origin}'s options that go together or need more than a converter,
 * made before the origin's settings are built so that the message names the options (as
 * {@code --max-age}) and states durations as they are written ({@code 10s}). Stateless.
 */
final class OriginOptions {
    /** The shortest signature validity the origin takes (as OriginConfig checks). */
    static final Duration MIN_VALIDITY = Duration.ofSeconds(10);

    private OriginOptions() {
    }

    /** --validity is at least {@link #MIN_VALIDITY}, and --max-age at most --validity. */
    static void checkTimes(Duration validity, Duration maxAge) {
        if (validity.compareTo(MIN_VALIDITY) < 0) {
            throw new IllegalArgumentException("--validity: " + Durations.format(validity) + " (expected: at least "
                    + Durations.format(MIN_VALIDITY) + ")");
        }
        if (maxAge.compareTo(validity) > 0) {
            throw new IllegalArgumentException("--max-age: " + Durations.format(maxAge)
                    + " (expected: at most --validity, " + Durations.format(validity) + ")");
        }
    }

    /** --public-uri, when given, is an absolute http(s) URI: the directory and update streams name it to clients. */
    static void checkPublicUri(String publicUri) {
        if (publicUri == null) {
            return;
        }
        String expected = "expected: an absolute http(s) URI, e.g. https://alto.example.net";
        URI u;
        try {
            u = new URI(publicUri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--public-uri: '" + publicUri + "' is not a URI ("
                    + e.getReason().toLowerCase(Locale.ROOT) + " at index " + e.getIndex() + "; " + expected + ")", e);
        }
        String scheme = u.getScheme();
        if (u.getRawAuthority() == null || !"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("--public-uri: '" + publicUri + "' (" + expected + ")");
        }
    }
}
