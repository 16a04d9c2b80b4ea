package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.rproxy.core.answer.ComputedAnswer;
import org.rproxy.core.answer.Holdings;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;

/**
 * The origin's holdings: every document of its catalog, signed. Nothing is ever missing, so the
 * requirements always hold; a source that is not signed is a bug, not a reason to forward.
 *
 * @param catalog the version being served
 * @param signed  request target to its signed representation
 */
record OriginHoldings(Catalog catalog, Map<String, Representation> signed) implements Holdings {
    OriginHoldings {
        requireNonNull(catalog, "catalog");
        signed = Map.copyOf(signed);
    }

    @Override
    public ComputedAnswer.Source source(String id, String path) {
        Representation r = signed.get(path);
        if (r == null) {
            throw new IllegalStateException("no signed document at " + path);
        }
        return ComputedAnswer.Source.of(id, path, r);
    }

    @Override
    public String networkMapPath(String id) {
        return Catalog.networkMapPath(id);
    }

    @Override
    public String costMapPath(String id) {
        return Catalog.costMapPath(id);
    }

    @Override
    public TreeSet<String> metrics(String netmap) {
        return catalog.metrics(netmap);
    }

    @Override
    public void requireCostMaps(String netmap, String metric) {
        // the origin publishes what it has: nothing to require
    }

    @Override
    public void requireProperty(String name) {
        // likewise
    }

    @Override
    public List<HeaderField> added() {
        return List.of();
    }

    @Override
    public Representation document(String target) {
        return signed.get(target);
    }
}
