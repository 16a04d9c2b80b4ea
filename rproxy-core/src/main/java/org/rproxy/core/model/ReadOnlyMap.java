package org.rproxy.core.model;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;


/**
 * The base of the views a {@link CostMap} hands out over its {@link CostTable}: a map keyed by
 * PID name that can only be read. Every mutator throws {@link UnsupportedOperationException},
 * also when it would change nothing (removing an absent key, clearing an empty row), as the
 * maps of {@code Map.copyOf} do, so that a caller's mistake shows on the first input rather than
 * on the one where it matters. Equality and hash code are those of {@link AbstractMap}, that is
 * of the {@link Map} contract, so a view equals any map with the same entries. Immutable; any
 * thread.
 *
 * @param <V> the value type: a row, or a boxed cost
 */
abstract class ReadOnlyMap<V> extends AbstractMap<String, V> {

    /** The entries in key order; its iterator need not support {@code remove}. */
    abstract Set<Entry<String, V>> entries();

    @Override
    public final Set<Entry<String, V>> entrySet() {
        return Collections.unmodifiableSet(entries());
    }

    @Override
    public final Set<String> keySet() {
        return Collections.unmodifiableSet(super.keySet());
    }

    @Override
    public final Collection<V> values() {
        return Collections.unmodifiableCollection(super.values());
    }

    @Override
    public final V put(String key, V value) {
        throw readOnly();
    }

    @Override
    public final void putAll(Map<? extends String, ? extends V> m) {
        throw readOnly();
    }

    @Override
    public final V remove(Object key) {
        throw readOnly();
    }

    @Override
    public final void clear() {
        throw readOnly();
    }

    @Override
    public final void replaceAll(BiFunction<? super String, ? super V, ? extends V> function) {
        throw readOnly();
    }

    @Override
    public final V putIfAbsent(String key, V value) {
        throw readOnly();
    }

    @Override
    public final boolean remove(Object key, Object value) {
        throw readOnly();
    }

    @Override
    public final boolean replace(String key, V oldValue, V newValue) {
        throw readOnly();
    }

    @Override
    public final V replace(String key, V value) {
        throw readOnly();
    }

    @Override
    public final V computeIfAbsent(String key, Function<? super String, ? extends V> f) {
        throw readOnly();
    }

    @Override
    public final V computeIfPresent(String key, BiFunction<? super String, ? super V, ? extends V> f) {
        throw readOnly();
    }

    @Override
    public final V compute(String key, BiFunction<? super String, ? super V, ? extends V> f) {
        throw readOnly();
    }

    @Override
    public final V merge(String key, V value, BiFunction<? super V, ? super V, ? extends V> f) {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("a cost map is immutable");
    }
}
