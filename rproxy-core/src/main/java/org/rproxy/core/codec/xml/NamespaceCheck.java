package org.rproxy.core.codec.xml;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.util.StreamReaderDelegate;

import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * Holds the elements and attributes below the root to the dialect's namespaces, as Jackson reads
 * them: Jackson binds by local name only, so without this {@code <x:dstendp>} in some other
 * namespace, or a {@code <dstendp xmlns="">}, was read as one more destination, and
 * {@code x:name="..."} as the {@code name} attribute. Every element of the dialect is in
 * {@link AltoDto#NS} and its attributes in no namespace. An element or attribute of a name the
 * dialect uses ({@link AltoDto}'s) anywhere else is refused, {@code E_INVALID_FIELD_VALUE} naming
 * it as a dotted path with 1-based positions among its namesakes ({@code costquery.dstendp[3]},
 * {@code costquery.srcendp[1].name}; the document element without one) and giving
 * {@code {namespace}name} as the value. Other names in other namespaces are extensions, ignored
 * with what they hold, like unknown elements of the dialect's own (RFC 7285 §8.3.7); so are
 * unknown names in no namespace.
 *
 * <p>One instance reads one document, from its root's start on; not thread-safe.
 */
final class NamespaceCheck extends StreamReaderDelegate {
    /** The local names of the dialect's elements, and of its attributes. */
    private static final Set<String> ELEMENTS = new HashSet<>();
    private static final Set<String> ATTRIBUTES = new HashSet<>();

    static {
        for (Class<?> c : AltoDto.class.getDeclaredClasses()) {
            names(c);
        }
        names(AltoDto.class);
    }

    private static void names(Class<?> dto) {
        for (Field f : dto.getDeclaredFields()) {
            JacksonXmlProperty p = f.getAnnotation(JacksonXmlProperty.class);
            if (p == null) {
                continue;
            }
            String name = p.localName().isEmpty() ? f.getName() : p.localName();
            (p.isAttribute() ? ATTRIBUTES : ELEMENTS).add(name);
            JacksonXmlElementWrapper w = f.getAnnotation(JacksonXmlElementWrapper.class);
            if (w != null && w.useWrapping() && !w.localName().isEmpty()) {
                ELEMENTS.add(w.localName());
            }
        }
    }

    /** Per open element: its path, and how many children of each local name it has had so far. */
    private record Open(String path, Map<String, Integer> children) {
    }

    private final Deque<Open> open = new ArrayDeque<>();
    /** Depth within an extension element being ignored (0: none). */
    private int ignored;

    /** {@code reader} stands on the root's start element, which the caller has checked. */
    NamespaceCheck(XMLStreamReader reader) {
        super(reader);
        open.push(new Open("", new HashMap<>()));
    }

    @Override
    public int next() throws XMLStreamException {
        int event = super.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
            started();
        } else if (event == XMLStreamConstants.END_ELEMENT) {
            if (ignored > 0) {
                ignored--;
            } else if (!open.isEmpty()) {
                open.pop();
            }
        }
        return event;
    }

    @Override
    public int nextTag() throws XMLStreamException {
        int event = next();
        while (event == XMLStreamConstants.CHARACTERS && isWhiteSpace()
                || event == XMLStreamConstants.COMMENT || event == XMLStreamConstants.PROCESSING_INSTRUCTION
                || event == XMLStreamConstants.SPACE) {
            event = next();
        }
        if (event != XMLStreamConstants.START_ELEMENT && event != XMLStreamConstants.END_ELEMENT) {
            throw new XMLStreamException("expected a start or end tag", getLocation());
        }
        return event;
    }

    @Override
    public String getElementText() throws XMLStreamException {
        StringBuilder text = new StringBuilder();
        for (int event = next(); event != XMLStreamConstants.END_ELEMENT; event = next()) {
            if (event == XMLStreamConstants.START_ELEMENT) {
                throw new XMLStreamException("an element where text only was expected", getLocation());
            }
            if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA
                    || event == XMLStreamConstants.SPACE || event == XMLStreamConstants.ENTITY_REFERENCE) {
                text.append(getText());
            }
        }
        return text.toString();
    }

    private void started() {
        if (ignored > 0) {
            ignored++;
            return;
        }
        String name = getLocalName();
        String ns = nullToEmpty(getNamespaceURI());
        Open parent = open.peek();
        int position = parent.children().merge(name, 1, Integer::sum);
        String path = parent.path().isEmpty() ? name : parent.path() + "." + name + "[" + position + "]";
        if (!AltoDto.NS.equals(ns)) {
            if (ELEMENTS.contains(name)) {
                throw refused(path, ns, name, "element " + path + (ns.isEmpty() ? " is in no namespace"
                        : " is in namespace " + ns) + ": the dialect's elements are in " + AltoDto.NS);
            }
            ignored = 1; // an extension: Jackson skips it, and so does the check
            return;
        }
        open.push(new Open(path, new HashMap<>()));
        for (int i = 0; i < getAttributeCount(); i++) {
            String ans = nullToEmpty(getAttributeNamespace(i));
            String attr = getAttributeLocalName(i);
            if (!ans.isEmpty() && ATTRIBUTES.contains(attr) && !XMLConstants.XML_NS_URI.equals(ans)) {
                String field = path + "." + attr;
                throw refused(field, ans, attr, "attribute " + field + " is in namespace " + ans
                        + ": the attributes of the dialect (" + AltoDto.NS + ") are in none");
            }
        }
    }

    private static AltoException refused(String field, String ns, String name, String message) {
        return new AltoException(AltoError.invalidValue(field, "{" + ns + "}" + name, message));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
