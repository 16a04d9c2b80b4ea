package org.rproxy.client;

import java.util.function.Consumer;

import org.rproxy.core.answer.AnswerEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory read before the maps, by {@link AltoClient#refreshMaps()} and a follower's poll
 * ({@link MapPoll}): for the origin's keys only, so when no source gives it the maps are fetched all
 * the same, verified with the keys trusted so far. A client whose origin and RProxies are away
 * still has its maps from a P2P overlay, which need not carry the directory; had the failed read
 * ended the refresh, it would have none. Stateless.
 */
final class KeysBeforeMaps {
    private static final Logger LOG = LoggerFactory.getLogger(AltoClient.class);

    private KeysBeforeMaps() {
    }

    /** As {@link #read(Sources, Consumer)}, logging why at WARN (a caller of {@code refreshMaps}). */
    static void read(Sources sources) {
        read(sources, e -> LOG.warn("refreshing the maps with the keys trusted so far: the directory was not read again: {}",
                e.getMessage()));
    }

    /**
     * Reads the directory again ({@link Sources#fetch}: verified, it teaches the keys it lists);
     * tells {@code missed} why when none was taken.
     *
     * @return whether a directory was taken
     * @throws ClientException.Interrupted when the calling thread is interrupted (no source blamed)
     */
    static boolean read(Sources sources, Consumer<ClientException> missed) {
        try {
            sources.fetch(AnswerEngine.DIRECTORY);
            return true;
        } catch (ClientException.Interrupted e) {
            throw e;
        } catch (ClientException e) {
            missed.accept(e);
            return false;
        }
    }
}
