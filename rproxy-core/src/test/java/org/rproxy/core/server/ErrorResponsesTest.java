package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.w3c.dom.Element;

/** RFC 7285 §8.5.2 error bodies, and the seed's XML form, with hostile values. */
class ErrorResponsesTest {

    @Test
    void jsonWithAllMembers() {
        AltoError e = AltoError.invalidValue("srcpid", "PIDX", "unknown PID");
        assertEquals("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"srcpid\",\"value\":\"PIDX\","
                + "\"message\":\"srcpid: unknown PID\"}}", AltoJson.writeError(e));
    }

    @Test
    void jsonLeavesNullMembersOut() {
        assertEquals("{\"meta\":{\"code\":\"E_MISSING_FIELD\",\"field\":\"cost-type\",\"message\":\"missing field: cost-type\"}}",
                AltoJson.writeError(AltoError.missingField("cost-type")));
    }

    @Test
    void xmlWithAllMembers() {
        AltoError e = AltoError.invalidValue("srcpid", "PIDX", "unknown PID");
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\">"
                + "<error code=\"E_INVALID_FIELD_VALUE\" field=\"srcpid\" value=\"PIDX\">srcpid: unknown PID</error></alto>",
                XmlCodec.errorText(e));
    }

    @Test
    void theXmlCodecReadsBackTheFrontEndsXmlErrors() {
        AltoError e = AltoError.invalidValue("srcpid", "PID<9>", "unknown PID");
        assertEquals(e, new org.rproxy.core.codec.xml.XmlCodec().parseError(
                org.rproxy.core.model.Bytes.wrap(ErrorResponses.body(e, Dialect.XML))));
    }

    @Test
    void contentTypes() {
        AltoError request = AltoError.missingField("cost-type");
        assertEquals("application/alto-error+json", ErrorResponses.contentType(request, Dialect.JSON));
        assertEquals("application/xml", ErrorResponses.contentType(request, Dialect.XML));
    }

    /** RFC 7285 §8.5: no ALTO-layer information, no error resource; §8.5.2: a resource's code is a registered one. */
    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void aServerConditionIsItsMessageAsTextInEitherDialectWithNoAltoCode(int status) {
        AltoError e = AltoError.serverCondition("no valid copy of /x (upstream down)\r\nInjected: 1", status);
        for (Dialect d : Dialect.values()) {
            assertEquals("text/plain; charset=utf-8", ErrorResponses.contentType(e, d));
            assertEquals("no valid copy of /x (upstream down)  Injected: 1\n",
                    new String(ErrorResponses.body(e, d), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\"b", "<tag>&amp;", "line\nbreak\ttab\r", "nul\u0000bel\u0007", "quote's", "é€😀",
        "lone\uD800surrogate", "}]},\"x\":1"})
    void hostileValuesSurviveARoundTripInBothDialects(String value) throws Exception {
        AltoError e = AltoError.of(AltoErrorCode.E_INVALID_FIELD_VALUE, "f" + value, value, "m" + value);

        JsonNode meta = new ObjectMapper().readTree(ErrorResponses.body(e, Dialect.JSON)).get("meta");
        assertEquals(4, meta.size());
        assertEquals(expectedJson(value), meta.get("value").asText());
        assertEquals("m" + expectedJson(value), meta.get("message").asText());

        Element error = (Element) DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(ErrorResponses.body(e, Dialect.XML)))
                .getDocumentElement().getFirstChild();
        assertEquals("error", error.getTagName());
        assertEquals(expectedXml(value), error.getAttribute("value"));
        assertEquals("f" + expectedXml(value), error.getAttribute("field"));
        assertEquals("m" + expectedXml(value).replace("\r", "\n"), error.getTextContent().replace("\r", "\n"));
    }

    /** Lone surrogates cannot be encoded in UTF-8; the encoder writes '?'. */
    private static String expectedJson(String v) {
        return new String(v.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    /** Characters XML 1.0 cannot carry become U+FFFD. */
    private static String expectedXml(String v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean control = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
            boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < v.length()
                    && Character.isLowSurrogate(v.charAt(i + 1))) && !(Character.isLowSurrogate(c) && i > 0
                    && Character.isHighSurrogate(v.charAt(i - 1)));
            b.append(control || lone ? '\uFFFD' : c);
        }
        return b.toString();
    }
}
