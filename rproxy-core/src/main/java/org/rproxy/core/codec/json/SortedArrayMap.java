package org.rproxy.core.codec.json;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;

/**
 * A read-only sorted map over two parallel arrays, keys in natural order without repeats.
 *
 * <p>It exists for speed: the model copies cost map rows with {@code new TreeMap<>(row)}, which
 * inserts one key at a time (O(n log n) string comparisons) unless it is handed a
 * {@link SortedMap} of natural order, which it copies in linear time. For a cost map of millions
 * of entries that is the difference between seconds and a fraction of one. Immutable once built;
 * any thread.
 */
final class SortedArrayMap<V> extends AbstractMap<String, V> implements SortedMap<String, V> {
    private final String[] keys;
    private final Object[] values;
    private final int from;
    private final int to;

    /** Takes ownership of the arrays; {@code keys} must be sorted and free of repeats. */
    SortedArrayMap(String[] keys, Object[] values) {
        this(keys, values, 0, keys.length);
    }

    private SortedArrayMap(String[] keys, Object[] values, int from, int to) {
        this.keys = keys;
        this.values = values;
        this.from = from;
        this.to = to;
    }

    @Override
    public int size() {
        return to - from;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : (V) values[i];
    }

    private int indexOf(Object key) {
        return key instanceof String s ? Arrays.binarySearch(keys, from, to, s) : -1;
    }

    @Override
    public Comparator<? super String> comparator() {
        return null;
    }

    @Override
    public SortedMap<String, V> subMap(String fromKey, String toKey) {
        int a = bound(fromKey);
        return new SortedArrayMap<>(keys, values, a, Math.max(a, bound(toKey)));
    }

    @Override
    public SortedMap<String, V> headMap(String toKey) {
        return new SortedArrayMap<>(keys, values, from, bound(toKey));
    }

    @Override
    public SortedMap<String, V> tailMap(String fromKey) {
        return new SortedArrayMap<>(keys, values, bound(fromKey), to);
    }

    /** The index of the first key not less than {@code key}, within this range. */
    private int bound(String key) {
        int i = Arrays.binarySearch(keys, from, to, key);
        return i >= 0 ? i : -i - 1;
    }

    @Override
    public String firstKey() {
        if (from == to) {
            throw new NoSuchElementException();
        }
        return keys[from];
    }

    @Override
    public String lastKey() {
        if (from == to) {
            throw new NoSuchElementException();
        }
        return keys[to - 1];
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, V>> iterator() {
                return new Iterator<>() {
                    private int next = from;

                    @Override
                    public boolean hasNext() {
                        return next < to;
                    }

                    @Override
                    @SuppressWarnings("unchecked")
                    public Entry<String, V> next() {
                        if (next >= to) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(keys[i], (V) values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return to - from;
            }
        };
    }
}
