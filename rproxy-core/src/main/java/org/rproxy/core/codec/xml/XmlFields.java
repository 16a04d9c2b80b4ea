package org.rproxy.core.codec.xml;

import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonMappingException;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * Checks shared by every document of the dialect, each throwing an {@link AltoException} that
 * names the field at fault as a dotted path of element and attribute names, with 1-based element
 * positions as in XPath: {@code costmap.row[2].pid[1].cost} is the {@code cost} attribute of the
 * first {@code pid} of the second {@code row}. Stateless.
 */
final class XmlFields {
    private XmlFields() {
    }

    /** {@code parent.name[index]}, with {@code index} counted from 0 and written from 1. */
    static String at(String parent, String name, int index) {
        return parent + "." + name + "[" + (index + 1) + "]";
    }

    /** The one element of {@code list}: missing when there is none, invalid when repeated. */
    static <T> T one(List<T> list, String field) {
        if (list == null || list.isEmpty()) {
            throw new AltoException(AltoError.missingField(field));
        }
        if (list.size() > 1) {
            throw new AltoException(AltoError.invalidValue(field, null,
                    "appears " + list.size() + " times (expected: once)"));
        }
        return list.get(0);
    }

    /** The element of {@code list} if there is one, else null; invalid when repeated. */
    static <T> T optional(List<T> list, String field) {
        return list == null || list.isEmpty() ? null : one(list, field);
    }

    /** A required attribute: present (possibly empty, for the caller's own check to refuse). */
    static String required(String value, String field) {
        if (value == null) {
            throw new AltoException(AltoError.missingField(field));
        }
        return value;
    }

    /** Parses a required attribute with {@code parser}, which reports bad values itself. */
    static <T> T required(String value, String field, Function<String, T> parser) {
        return parser.apply(required(value, field));
    }

    /**
     * Checks an optional {@code size} attribute against the number of elements it counts. The
     * seed writes it on every list; we accept its absence, but never a wrong count.
     */
    static void checkSize(String size, int count, String field) {
        if (size == null) {
            return;
        }
        if (!size.matches("0|[1-9][0-9]{0,8}")) {
            throw new AltoException(AltoError.invalidValue(field, size, "must be a non-negative integer"));
        }
        if (Integer.parseInt(size) != count) {
            throw new AltoException(AltoError.invalidValue(field, size,
                    "says " + size + " but " + count + " element" + (count == 1 ? "" : "s") + " follow"));
        }
    }

    /** A capped list of request items: at least one, at most {@code max}. */
    static void checkCount(int count, int max, String field) {
        if (count == 0) {
            throw new AltoException(AltoError.missingField(field));
        }
        if (count > max) {
            throw new AltoException(AltoError.invalidValue(field, String.valueOf(count),
                    count + " elements (expected: at most " + max + ")"));
        }
    }

    /** The binding path of a Jackson mapping error in our dotted, 1-based form. */
    static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex() + 1).append(']');
            }
        }
        return sb.length() == 0 ? "alto" : sb.toString();
    }
}
