package org.rproxy.core.answer;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.List;
import java.util.TreeSet;

import org.rproxy.core.model.CostType;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;

/**
 * A proxy's holdings: the signed documents of one {@link ReceivedDocuments} reading, judged against
 * the held directory, which says what the publisher offers. A query is answered here only when
 * every document the publisher would consult for it is held, in the version the others depend
 * on, and unexpired now; otherwise {@link NotHeldException} sends it upstream.
 */
final class ReceivedHoldings implements Holdings {
    private static final String PID_SUFFIX = ".pid";

    private final ReceivedDocuments docs;
    private final Clock clock;
    private final List<HeaderField> added;

    ReceivedHoldings(ReceivedDocuments docs, Clock clock, List<HeaderField> added) {
        this.docs = requireNonNull(docs, "docs");
        this.clock = requireNonNull(clock, "clock");
        this.added = List.copyOf(added);
        requireNonNull(docs.directory, "docs.directory");
    }

    @Override
    public ComputedAnswer.Source source(String id, String path) {
        ReceivedDocuments.Ref ref = docs.refs.get(path);
        if (ref == null) {
            throw new NotHeldException(path + " is not held", path);
        }
        if (!clock.instant().isBefore(ref.expires())) {
            throw new NotHeldException(path + " has expired", path);
        }
        return new ComputedAnswer.Source(id, path, ref.etag(), ref.expires(), ref.validated(), ref.revalidation());
    }

    @Override
    public String networkMapPath(String id) {
        return uri(id);
    }

    @Override
    public String costMapPath(String id) {
        return uri(id);
    }

    @Override
    public TreeSet<String> metrics(String netmap) {
        TreeSet<String> out = new TreeSet<>();
        docs.directory.resources().values().forEach(r -> {
            CostType t = costMapType(r, netmap);
            if (t != null) {
                out.add(t.metric());
            }
        });
        return out;
    }

    @Override
    public void requireCostMaps(String netmap, String metric) {
        if (!docs.networkMaps.containsKey(netmap)) {
            InformationResource n = docs.directory.resources().get(netmap);
            throw new NotHeldException("network map " + netmap + " is not held", n == null ? null : n.uri());
        }
        for (InformationResource r : docs.directory.resources().values()) {
            CostType t = costMapType(r, netmap);
            if (t != null && t.metric().equals(metric) && !docs.costMaps.containsKey(r.id())) {
                throw new NotHeldException("cost map " + r.id() + " is not held", r.uri());
            }
        }
    }

    @Override
    public void requireProperty(String name) {
        if (name.endsWith(PID_SUFFIX) && docs.networkMaps.containsKey(name.substring(0, name.length() - PID_SUFFIX.length()))) {
            return;
        }
        for (InformationResource r : docs.directory.resources().values()) {
            if (MediaTypes.ENDPOINT_PROP.equals(r.mediaType()) && r.propTypes().contains(name)) {
                throw new NotHeldException("property " + name + " comes from a document not held");
            }
        }
    }

    @Override
    public List<HeaderField> added() {
        return added;
    }

    @Override
    public Representation document(String target) {
        return null;
    }

    /** The cost type of {@code r} when it is a full cost map on {@code netmap}, else null. */
    private CostType costMapType(InformationResource r, String netmap) {
        if (!MediaTypes.COST_MAP.equals(r.mediaType()) || r.accepts() != null || !r.uses().equals(List.of(netmap))
                || r.costTypeNames().size() != 1) {
            return null;
        }
        return docs.directory.costTypes().get(r.costTypeNames().get(0));
    }

    private String uri(String id) {
        InformationResource r = docs.directory.resources().get(id);
        if (r == null) {
            throw new NotHeldException(id + " is not in the directory");
        }
        return r.uri();
    }
}
