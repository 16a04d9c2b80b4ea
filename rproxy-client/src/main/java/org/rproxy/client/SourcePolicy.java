package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;

/**
 * Chooses where the client asks: given the RProxies the origin lists, the order to try them in.
 * The client tries them in that order, moving to the next on any failure (unreachable, refused,
 * timed out, a response that does not verify), and asks the origin itself last. A proxy left out
 * of the order is not asked this time, and one not in the list given is ignored. Called on the
 * thread that makes the request; an implementation must be thread-safe and quick (it runs before
 * every request). What it throws ends that call ({@code fetch}, {@code refreshMaps}, ...) as
 * thrown, no source asked; a null order is a {@link NullPointerException} naming the policy.
 */
@FunctionalInterface
public interface SourcePolicy {

    /**
     * What a policy may rank by.
     *
     * @param client  the client's own address as the application gave it ({@link ClientOptions#withClientAddress}:
     *                an IP literal or an RFC 7285 typed address), or null when it gave none
     * @param answers the answers of the verified maps held, or null before any are held or once their
     *                signatures have expired
     * @param health  what the client has seen of each source lately
     */
    record Context(String client, LocalAnswers answers, SourceHealth health) {
        /**
         * The health record is required; the client and the answers may be null.
         *
         * @param client  the client's own address as the application gave it ({@link ClientOptions#withClientAddress}:
         *                an IP literal or an RFC 7285 typed address), or null when it gave none
         * @param answers the answers of the verified maps held, or null before any are held or once their
         *                signatures have expired
         * @param health  what the client has seen of each source lately
         */
        public Context {
            requireNonNull(health, "health");
        }
    }

    /**
     * {@return the proxies to try, best first (a subset of {@code proxies}, in any order)}
     *
     * @param proxies the RProxies the origin's directory lists, in its order
     * @param context what the client knows now to choose by
     */
    List<URI> order(List<URI> proxies, Context context);

    /**
     * {@return the default: proxies cooling down after a failed verification or a rollback are
     * left out; the others are ranked by the routing cost from the client's address to the
     * proxy's host address according to the held maps (unknown costs last; a host name is looked
     * up in the background, never on the caller's thread, and has no known cost until it is
     * found), then healthy before recently failing (a failure is recent for 30 s, doubling with
     * each consecutive failure up to 10 min, see {@link SourceHealth}; after that the proxy is
     * back in its place), then by latency (moving average; an untried proxy counts as fast so it
     * gets its chance), then in the origin's order}
     */
    static SourcePolicy costRanked() {
        return new CostRankedPolicy();
    }
}
