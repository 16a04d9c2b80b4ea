package org.rproxy.app;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.VerifiedDocument;

/**
 * {@code rproxy fetch --origin URL (--keyid ID | --trust PUBFILE) TARGET}: the discovering fetch,
 * a thin shell over the client library. It bootstraps from the origin's signed directory, learns
 * the RProxies the origin lists, asks them in the directory's order (or, given a client address,
 * fetches the maps and asks the cheapest from that address first) and falls back to the next,
 * and to the origin last ({@link AltoClient}). Prints one verdict line naming
 * the source that answered and those refused before it; the exit code is {@link FetchOutcome}'s
 * ({@code CLOCK} when every copy was valid only at another time than this machine's clock).
 */
final class OriginFetch {

    private OriginFetch() {
    }

    /** @param clientAddress the address to rank sources from (the maps are fetched first), or null: the directory's order */
    static int run(URI origin, String keyId, Path trust, String target, Duration timeout, int maxBody,
                   String clientAddress, PrintWriter out) {
        KeyPin pin = keyId != null ? KeyPin.ofKeyId(keyId) : KeyPin.ofPem(trust);
        ClientOptions options = ClientOptions.of(origin, pin).withTimeout(timeout).withMaxEventBytes(maxBody);
        if (clientAddress != null) {
            try {
                options = options.withClientAddress(clientAddress);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--client-address: " + e.getMessage(), e);
            }
        }
        try (AltoClient client = AltoClient.bootstrap(options)) {
            if (clientAddress != null) {
                client.refreshMaps(); // the costs the sources are ranked by
            }
            VerifiedDocument doc = client.fetch(target);
            StringBuilder line = new StringBuilder(FetchOutcome.VALID.word()).append(' ').append(target)
                    .append(" from=").append(doc.source())
                    .append(" version=").append(doc.etag())
                    .append(" created=").append(doc.created()).append(" expires=").append(doc.expires());
            for (ClientException refused : doc.refused()) {
                line.append("\n  refused first: ").append(refused.getMessage());
            }
            out.println(line);
            out.flush();
            return FetchOutcome.VALID.exitCode();
        } catch (ClientException e) {
            FetchOutcome outcome = outcome(e);
            out.println(outcome.word() + " " + target + ": " + e.getMessage());
            out.flush();
            return outcome.exitCode();
        }
    }

    /**
     * The outcome a failure reports: {@link FetchOutcome#CLOCK} when the client's clock looks
     * wrong; for any other "no source left", the last source's (the origin's).
     */
    static FetchOutcome outcome(ClientException e) {
        if (e instanceof ClientException.ClockSkew) {
            return FetchOutcome.CLOCK; // no source sent a valid copy, and none is to blame: this machine's clock
        }
        if (e instanceof ClientException.NoSourceLeft none && !none.attempts().isEmpty()) {
            return outcome(none.attempts().get(none.attempts().size() - 1));
        }
        if (e instanceof ClientException.Unreachable) {
            return FetchOutcome.UNREACHABLE;
        }
        if (e instanceof ClientException.TimedOut) {
            return FetchOutcome.TIMEOUT;
        }
        if (e instanceof ClientException.TlsFailure) {
            return FetchOutcome.TLS_FAILURE;
        }
        if (e instanceof ClientException.Refused) {
            return FetchOutcome.REFUSED;
        }
        return FetchOutcome.INVALID;
    }
}
