package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;

/** RFC 8895 §6.5 update stream parameters, with this project's {@code path} extension. */
class StreamRequestTest {

    @Test
    void theRfcExampleReads() {
        StreamRequest r = StreamRequest.parse(Bytes.utf8("{\"add\":{\"my-network-map\":{\"resource-id\":\"my-network-map\","
                + "\"tag\":\"da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785\"},\"my-routingcost\":{\"resource-id\":"
                + "\"my-routingcost-map\",\"incremental-changes\":false},\"pids\":{\"resource-id\":\"default-network-map\","
                + "\"path\":\"/prop/pid\"}},\"remove\":[\"old\"]}"));
        assertEquals(List.of("my-network-map", "my-routingcost", "pids"), List.copyOf(r.add().keySet()));
        assertEquals("da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785", r.add().get("my-network-map").tag());
        assertTrue(r.add().get("my-network-map").incremental());
        assertFalse(r.add().get("my-routingcost").incremental());
        assertNull(r.add().get("my-routingcost").path());
        assertEquals("/prop/pid", r.add().get("pids").path());
        assertEquals(List.of("old"), r.remove());
        assertNull(r.signatures());
    }

    /** An optional member given as JSON null counts as absent, as in every other request. */
    @Test
    void anOptionalMemberThatIsNullCountsAsAbsent() {
        StreamRequest r = StreamRequest.parse(Bytes.utf8("{\"add\":{\"s\":{\"resource-id\":\"x\",\"tag\":null,"
                + "\"incremental-changes\":null,\"path\":null,\"input\":null}},\"remove\":null,"
                + "\"alto-redist-signatures\":null}"));
        assertNull(r.add().get("s").tag());
        assertTrue(r.add().get("s").incremental());
        assertNull(r.add().get("s").path());
        assertNull(r.add().get("s").input());
        assertEquals(List.of(), r.remove());
        assertNull(r.signatures());
    }

    /** A syntax error says where, as a query's does, and nothing of the parser's internals. */
    @Test
    void aSyntaxErrorGivesLineAndColumnAndNoParserInternals() {
        AltoException e = assertThrows(AltoException.class, () -> StreamRequest.parse(Bytes.utf8("{\"add\":{\n")));
        assertEquals(AltoErrorCode.E_SYNTAX, e.error().code());
        assertTrue(e.error().message().contains("line 2"), e.error().message());
        assertFalse(e.error().message().contains("Source"), e.error().message());
        assertFalse(e.error().message().contains("REDACTED"), e.error().message());
    }

    @Test
    void anInputIsKeptInCanonicalFormSoThatEqualQuestionsAreOneQuery() {
        StreamRequest a = StreamRequest.parse(Bytes.utf8("{\"add\":{\"f\":{\"resource-id\":\"filtered\","
                + "\"input\":{ \"pids\" : {\"srcs\":[\"PID1\"], \"dsts\":[]}, \"cost-type\":{\"cost-mode\":"
                + "\"numerical\",\"cost-metric\":\"routingcost\"}}}},\"alto-redist-signatures\":false}"));
        assertEquals("{\"cost-type\":{\"cost-metric\":\"routingcost\",\"cost-mode\":\"numerical\"},"
                + "\"pids\":{\"dsts\":[],\"srcs\":[\"PID1\"]}}", a.add().get("f").input().asUtf8());
        assertEquals(Boolean.FALSE, a.signatures());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{                                                   | E_SYNTAX              | ",
            "[]                                                  | E_INVALID_FIELD_TYPE  | ''",
            "{\"add\":[]}                                        | E_INVALID_FIELD_TYPE  | add",
            "{\"add\":{\"s\":{}}}                                | E_MISSING_FIELD       | add/s/resource-id",
            "{\"add\":{\"s\":{\"resource-id\":7}}}               | E_INVALID_FIELD_TYPE  | add/s/resource-id",
            "{\"add\":{\"s p\":{\"resource-id\":\"x\"}}}         | E_INVALID_FIELD_VALUE | add/s p",
            "{\"add\":{\"s\":{\"resource-id\":\"x\",\"incremental-changes\":\"yes\"}}} | E_INVALID_FIELD_TYPE | add/s/incremental-changes",
            "{\"add\":{\"s\":{\"resource-id\":\"x\",\"input\":[]}}} | E_INVALID_FIELD_TYPE | add/s/input",
            "{\"add\":{\"s\":{\"resource-id\":\"x\",\"input\":{},\"path\":\"/p\"}}} | E_INVALID_FIELD_VALUE | add/s/path",
            "{\"add\":{\"s\":{\"resource-id\":\"x\"}},\"alto-redist-signatures\":1} | E_INVALID_FIELD_TYPE | alto-redist-signatures",
            "{\"add\":{\"s\":{\"resource-id\":\"x\",\"path\":\"prop\"}}} | E_INVALID_FIELD_VALUE | add/s/path",
            "{\"remove\":\"s\"}                                  | E_INVALID_FIELD_TYPE  | remove",
            "{\"remove\":[1]}                                    | E_INVALID_FIELD_VALUE | remove",
    })
    void badParametersNameTheFieldAtFault(String body, AltoErrorCode code, String field) {
        AltoException e = assertThrows(AltoException.class, () -> StreamRequest.parse(Bytes.utf8(body)));
        assertEquals(code, e.error().code());
        if (field != null) {
            assertEquals(field, e.error().field());
        }
    }
}
