package org.rproxy.app;

/**
 * What {@code rproxy fetch} (and {@code rproxy verify}) concluded, as the first word of the one
 * line it prints and as its exit code, so that a script can tell "try another source" (3, 4, 6)
 * from "this source lies or is misconfigured" (1, 5) from "this machine's clock is wrong" (7)
 * without parsing text.
 */
enum FetchOutcome {
    /** Signed by a trusted key, intact, current, for the resource asked for. */
    VALID(0),
    /** A response came, but it is not a valid signed answer: the reason says which check failed. */
    INVALID(1),
    /** A pull proxy's locally computed answer: unsigned by design, derived from signed maps. */
    UNSIGNED(1),
    /** No connection: refused, unknown host, no route. */
    UNREACHABLE(3),
    /** No connection or no complete response within {@code --timeout}. */
    TIMEOUT(4),
    /** The TLS handshake failed: an untrusted or wrong certificate, or no common protocol. */
    TLS_FAILURE(5),
    /** The server answered with an error status (with its ALTO error, if it sent one). */
    REFUSED(6),
    /**
     * With {@code --origin}: every source that sent a document sent one that verifies but is valid
     * only at another time, all on the same side of this machine's clock, which looks wrong
     * ({@code ClientException.ClockSkew}): no source is to blame; set the clock right.
     */
    CLOCK(7);

    /** Exit code of a usage or configuration error (picocli's and {@link Main}'s). */
    static final int USAGE = 2;

    private final int exitCode;

    FetchOutcome(int exitCode) {
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** The word that starts the printed line. */
    String word() {
        return name().replace('_', '-');
    }
}
