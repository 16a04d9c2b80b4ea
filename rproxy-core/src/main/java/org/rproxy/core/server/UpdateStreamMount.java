package org.rproxy.core.server;

import java.util.Map;
import java.util.concurrent.CompletionStage;

import io.micrometer.core.instrument.MeterRegistry;

import org.rproxy.core.store.Representation;

/**
 * An update stream (RFC 8895) mounted on a file origin: the origin advertises it in its signed
 * directory, lets it answer its own paths on the origin's front end, and tells it of every set of
 * signed documents it installs. The publisher itself lives in {@code rproxy-push}; core knows
 * only this hook.
 *
 * <p>{@link #installed} is called on the origin's publishing thread (and once on the starting
 * thread), for each new version of the maps and for each re-signing (same bytes, new
 * signatures); it must hand the work off and return.
 */
public interface UpdateStreamMount {

    /** The update stream's path, such as {@code /updates}; advertised in the directory. */
    String path();

    /** The front end's service: the stream's own paths answered by the stream, the rest by {@code documents}. */
    AltoService wrap(AltoService documents);

    /**
     * {@link #wrap}, also telling the front end what each resource accepts (for its 405 to PUT,
     * DELETE and the like): POST on the stream's path and the paths under it (its control URIs,
     * RFC 8895 §6.3 and §7), what {@code documents} says everywhere else; and naming every
     * control URI by one route, {@link #controlRoute}.
     */
    default AltoService mount(AltoService documents) {
        AltoService wrapped = wrap(documents);
        String stream = path();
        String under = stream + "/";
        String control = controlRoute(stream);
        return new AltoService() {
            @Override
            public CompletionStage<Reply> handle(AltoRequest request) {
                return wrapped.handle(request);
            }

            @Override
            public String allow(String p) {
                return p.equals(stream) || p.startsWith(under) ? "POST" : documents.allow(p);
            }

            @Override
            public String route(String p) {
                return p.startsWith(under) ? control : documents.route(p);
            }
        };
    }

    /**
     * The route of every path under the stream's: the control URIs, one per stream, made of a
     * random token (RFC 8895 §6.3), such as {@code /updates/{control}}.
     */
    static String controlRoute(String streamPath) {
        return streamPath + "/{control}";
    }

    /** The signed documents now served, by request target (path and query). */
    void installed(Map<String, Representation> documents);

    /** Registers the stream's meters (subscribers, versions streamed) beside the node's own in {@code registry}. */
    default void bindTo(MeterRegistry registry) {
    }
}
