package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;

/**
 * Hostile or broken bodies are refused cleanly: an {@code E_SYNTAX} ALTO error with a position,
 * never another exception, never a file read or an entity expanded.
 */
class XmlCodecSecurityTest {
    private static final String ALTO = "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\">";
    private static final String QUERY_BODY = "<costquery><srcendp name=\"ipv4:192.0.2.1\"/>"
            + "<dstendp name=\"ipv4:192.0.2.2\"/></costquery>";

    private final XmlCodec codec = new XmlCodec();

    @Test
    void externalEntityIsRefusedAndTheFileIsNotRead(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "ipv4:10.6.6.6");
        String doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE alto [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">]>\n"
                + ALTO + "<costquery><srcendp name=\"&xxe;\"/><dstendp name=\"ipv4:192.0.2.2\"/></costquery></alto>";

        AltoError e = refused(doc);

        assertTrue(e.message().startsWith("line 2, column "), e.message());
        assertTrue(e.message().contains("DTD"), e.message());
        assertFalse(e.message().contains("10.6.6.6"), e.message());
    }

    @Test
    void billionLaughsIsRefusedBeforeAnyExpansion() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE alto [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i < 10; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"")
                    .append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>");
        String doc = dtd + ALTO + "<costquery type=\"&lol9;\"><srcendp name=\"ipv4:192.0.2.1\"/>"
                + "<dstendp name=\"ipv4:192.0.2.2\"/></costquery></alto>";

        AltoError e = refused(doc);

        assertTrue(e.message().contains("DTD"), e.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<!DOCTYPE alto SYSTEM \"http://127.0.0.1:9/evil.dtd\">",
            "<!DOCTYPE alto PUBLIC \"-//EVIL//DTD//EN\" \"file:///etc/passwd\">",
            "<!DOCTYPE alto [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>",
            "<!DOCTYPE alto>"})
    void anyDocumentTypeDeclarationIsRefused(String doctype) {
        AltoError e = refused(doctype + ALTO + QUERY_BODY + "</alto>");

        assertTrue(e.message().contains("DTD"), e.message());
    }

    @Test
    void undeclaredEntityIsASyntaxError() {
        AltoError e = refused(ALTO + "<costquery type=\"&lol;\"/></alto>");

        assertTrue(e.message().startsWith("line 1, column "), e.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "{\"costquery\": {}}",
            "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery>",
            "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery></alto>",
            "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"a\" type=\"b\"/></alto>",
            "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery/></alto><alto/>",
            "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery/></alto>trailing",
            "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><x:costquery/></alto>",
            "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"a\u0001\"/></alto>"})
    void notWellFormedIsASyntaxErrorWithPosition(String doc) {
        AltoError e = refused(doc);

        assertTrue(e.message().matches("line \\d+, column \\d+: .+"), e.message());
    }

    @Test
    void deepNestingIsRefusedAsSyntaxError() {
        String doc = ALTO + "<costquery>" + "<x>".repeat(100) + "</x>".repeat(100) + "</costquery></alto>";

        refused(doc);
    }

    @Test
    void bodyInAnotherDeclaredEncodingIsRead() {
        String doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + ALTO + QUERY_BODY + "</alto>";

        CostQuery q = codec.parseCostQuery(Bytes.wrap(doc.getBytes(StandardCharsets.UTF_16)));

        assertEquals(1, q.destinations().size());
    }

    private AltoError refused(String doc) {
        AltoException e = assertThrows(AltoException.class, () -> codec.parseCostQuery(Bytes.utf8(doc)));
        assertEquals(AltoErrorCode.E_SYNTAX, e.error().code(), e.error().message());
        return e.error();
    }
}
