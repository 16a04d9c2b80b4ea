package org.rproxy.core.codec.xml;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import com.ctc.wstx.api.InvalidCharHandler;
import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.api.WstxOutputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import com.ctc.wstx.stax.WstxOutputFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import com.fasterxml.jackson.dataformat.xml.util.DefaultXmlPrettyPrinter;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;

/**
 * Reads and writes whole {@code <alto>} documents through one configured {@link XmlMapper}.
 * Thread-safe once built: the mapper, the writer and the StAX factories are all shareable, so
 * one instance serves every thread.
 *
 * <p>Reading is hardened against hostile input: a document type declaration is refused outright
 * (that closes XXE and entity-expansion bombs, whatever else the parser would allow), external
 * entities and DTD processing are off in Woodstox as a second line, and nesting, attribute count
 * and attribute size are capped well above what the dialect needs. The root is checked by hand
 * ({@code {urn:ietf:params:xml:ns:p2p:alto}alto}) before Jackson binds the rest, because Jackson
 * ignores the root's name, and the rest is read through {@link NamespaceCheck}, because Jackson
 * ignores namespaces too: an element or attribute of the dialect's name in the wrong namespace is
 * refused, not read as the dialect's. Unknown elements and attributes (of the dialect's namespace,
 * or extensions in others) are ignored, as RFC 7285 §8.3.7 asks of clients for unknown fields.
 *
 * <p>Writing is deterministic: the XML declaration written by hand (Woodstox would quote it with
 * apostrophes), two-space indentation, {@code \n} line ends whatever the platform, attributes in a
 * fixed order, and a final newline (written by the pretty printer).
 */
final class XmlBinder {
    private static final byte[] DECLARATION =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".getBytes(StandardCharsets.US_ASCII);

    private final XmlMapper mapper;
    private final ObjectWriter writer;
    private final XMLInputFactory inputFactory;

    XmlBinder() {
        inputFactory = hardenedInputFactory();
        XMLOutputFactory out = new WstxOutputFactory();
        // A stray control character (from an error message echoing client input) must not make
        // the output ill-formed: replace it.
        out.setProperty(WstxOutputProperties.P_OUTPUT_INVALID_CHAR_HANDLER,
                new InvalidCharHandler.ReplacingHandler('\uFFFD'));
        mapper = XmlMapper.builder(new XmlFactory(inputFactory, out))
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
                .build();
        writer = mapper.writer(new DefaultXmlPrettyPrinter().withCustomNewLine("\n"));
    }

    private static XMLInputFactory hardenedInputFactory() {
        XMLInputFactory f = new WstxInputFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, Boolean.TRUE);
        f.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resources are not allowed");
        });
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, 32);
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, 32);
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, 64 * 1024);
        return f;
    }

    /** Serialises {@code doc} with the XML declaration; never fails for a well-formed DTO. */
    Bytes write(AltoDto doc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(DECLARATION);
        try {
            writer.writeValue(out, doc);
        } catch (IOException e) {
            throw new UncheckedIOException("writing XML to memory failed", e);
        }
        return Bytes.wrap(out.toByteArray());
    }

    /**
     * Parses a whole document into its DTO.
     *
     * @throws AltoException {@code E_SYNTAX} with line and column when the bytes are not
     *         well-formed XML (or hold a DTD); {@code E_MISSING_FIELD} naming {@code alto} when the
     *         root is not the dialect's; {@code E_INVALID_FIELD_VALUE} naming an element or
     *         attribute of the dialect's name outside its namespace ({@link NamespaceCheck});
     *         {@code E_INVALID_FIELD_TYPE} when an element holds text where the dialect has attributes
     */
    AltoDto read(Bytes body) {
        requireNonNull(body, "body");
        XMLStreamReader reader = null;
        try {
            reader = inputFactory.createXMLStreamReader(new ByteArrayInputStream(body.unsafeArray()));
            toRoot(reader);
            reader = new NamespaceCheck(reader);
            AltoDto doc = mapper.readValue(reader, AltoDto.class);
            while (reader.hasNext()) {
                reader.next(); // so that junk after the root is refused, not ignored
            }
            return doc == null ? new AltoDto() : doc;
        } catch (XMLStreamException e) {
            throw syntax(e.getLocation(), e.getMessage());
        } catch (JsonMappingException e) {
            throw mapping(e);
        } catch (JsonProcessingException e) {
            throw fromJackson(e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading XML from memory failed", e);
        } finally {
            close(reader);
        }
    }

    private static void toRoot(XMLStreamReader reader) throws XMLStreamException {
        while (reader.hasNext()) {
            int event = reader.next();
            if (event == XMLStreamConstants.DTD) {
                throw syntax(reader.getLocation(), "document type declarations (DTD) are not allowed");
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (!"alto".equals(reader.getLocalName()) || !AltoDto.NS.equals(reader.getNamespaceURI())) {
                    String found = "{" + nullToEmpty(reader.getNamespaceURI()) + "}" + reader.getLocalName();
                    throw new AltoException(AltoError.of(AltoErrorCode.E_MISSING_FIELD, "alto", found,
                            "root element must be alto in namespace " + AltoDto.NS + ", found " + found));
                }
                return;
            }
        }
        throw syntax(reader.getLocation(), "no root element");
    }

    /** Jackson wraps the StAX error; the innermost cause has the most precise location. */
    private static AltoException fromJackson(JsonProcessingException e) {
        JsonProcessingException deepest = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AltoException refused) {
                return refused;
            }
            if (t instanceof XMLStreamException x) {
                return syntax(x.getLocation(), x.getMessage());
            }
            if (t instanceof JsonProcessingException j) {
                deepest = j;
            }
        }
        JsonLocation at = deepest.getLocation();
        String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
        return new AltoException(AltoError.syntax(where + deepest.getOriginalMessage()));
    }

    private static AltoException mapping(JsonMappingException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof AltoException refused) { // NamespaceCheck's, as Jackson wrapped it
                return refused;
            }
            if (t instanceof XMLStreamException || t instanceof JsonProcessingException) {
                return fromJackson(e);
            }
        }
        String field = XmlFields.path(e.getPath());
        return new AltoException(AltoError.invalidType(field, "an element with attributes, not text"));
    }

    static AltoException syntax(Location at, String message) {
        String reason = message == null ? "not well-formed" : message;
        int nl = reason.indexOf('\n'); // Woodstox appends its own "at [row,col ...]" line
        if (nl >= 0) {
            reason = reason.substring(0, nl);
        }
        String where = at == null ? "" : "line " + at.getLineNumber() + ", column " + at.getColumnNumber() + ": ";
        return new AltoException(AltoError.syntax(where + reason));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static void close(XMLStreamReader reader) {
        if (reader == null) {
            return;
        }
        try {
            reader.close();
        } catch (XMLStreamException ignored) {
            // Nothing to release for an in-memory source.
        }
    }
}
