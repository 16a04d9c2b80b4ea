package org.rproxy.core.answer;

import java.util.List;
import java.util.TreeSet;

import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;

/**
 * What one set of query answers rests on, beyond the parsed maps: where each signed source
 * document is served and which version of it an answer names, what the publishing directory
 * says exists, and whether the documents a given query needs are all at hand. The origin has
 * every document it publishes ({@link OriginHoldings}); a proxy has those it holds, verified
 * ({@link ReceivedHoldings}), and forwards a query when one is missing.
 *
 * <p>Implementations are immutable and safe for any number of threads.
 */
public interface Holdings {

    /**
     * The signed document {@code id} served at {@code path}, as an answer names it.
     *
     * @throws NotHeldException when it is not held here now (unusable, or of another version)
     */
    ComputedAnswer.Source source(String id, String path);

    /** Where the full network map {@code id} is served. */
    String networkMapPath(String id);

    /** Where the full cost map {@code id} is served. */
    String costMapPath(String id);

    /** The metrics of the cost maps on {@code netmap} that the publisher offers, sorted. */
    TreeSet<String> metrics(String netmap);

    /**
     * Returns when every cost map of {@code metric} on {@code netmap} that the publisher offers
     * is held, so the map an answer picks is the one the publisher would pick.
     *
     * @throws NotHeldException otherwise
     */
    void requireCostMaps(String netmap, String metric);

    /**
     * Returns when endpoint property {@code name} can be answered here, or is unknown to the
     * publisher (the answer is then the publisher's own error).
     *
     * @throws NotHeldException otherwise
     */
    void requireProperty(String name);

    /** Header fields added to every computed answer: none at the origin, a proxy's {@code Via}. */
    List<HeaderField> added();

    /** The signed document served at {@code target}, when these holdings serve documents; else null. */
    Representation document(String target);
}
