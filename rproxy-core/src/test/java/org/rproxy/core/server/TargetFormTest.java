package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The normal origin form equivalent targets share, and what RequestTarget hands the service. */
class TargetFormTest {

    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
            "/directory /directory",
            "http://127.0.0.1:8080/directory /directory",
            "http://example.net /",
            "http://example.net?x=1 /?x=1",
            "HTTPS://Example.NET/networkmap/default-network-map /networkmap/default-network-map",
            "/%64irectory /directory",
            "/%64%49%72%65%63%74%6f%72%79 /dIrectory",
            "http://h/%6Eetworkmap/n%2dm /networkmap/n-m",
            "/a%7e%2E%5F%2d /a~._-",
            "/cost/map?type=%68opcount /cost/map?type=hopcount",
            "/cost/map?%74ype=hopcount /cost/map?type=hopcount",
            "/cost/map?type=priv%3ax /cost/map?type=priv:x",
            "/cost/map?type=priv%3Ax /cost/map?type=priv:x",
            "/prop/pid/lookup?endpoint=ipv4%3a10.0.0.1 /prop/pid/lookup?endpoint=ipv4:10.0.0.1",
            "/q?a=%40%2f%3f /q?a=@/?",
    })
    void equivalentTargetsHaveOneForm(String raw, String normal) {
        assertEquals(normal, TargetForm.of(raw));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
            "/q?a=1%26b%3d2 /q?a=1%26b%3D2",
            "/q?a=1%2b2+3 /q?a=1%2B2+3",
            "/q?b=2&a=1 /q?b=2&a=1",
            "/q?a=%20;b /q?a=%20;b",
            "/a%2fb%3a /a%2Fb%3A",
            "/a%3fb?c /a%3Fb?c",
            "/a%C3%a9 /a%C3%A9",
    })
    void reservedAndUnsafeEncodingsKeepTheirMeaningOnlyUpperCased(String raw, String normal) {
        assertEquals(normal, TargetForm.of(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%64irectory", "/q?a=1%26b%3d2&%74ype=priv%3ax", "/plain?x=y"})
    void theNormalFormIsItsOwnNormalForm(String raw) {
        String once = TargetForm.of(raw);
        assertEquals(once, TargetForm.normalise(once));
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "example.net:80", "directory", "http:/directory", "http://a b/",
            "/a%zz", "/a?b=%4", "/a%%4141", "/a%"})
    void otherFormsAreRefused(String raw) {
        assertThrows(IllegalArgumentException.class, () -> TargetForm.of(raw));
    }

    @Test
    void theServiceGetsTheNormalFormAndTheSameParameters() {
        RequestTarget plain = RequestTarget.parse("/cost/map?type=priv:x&pid=a%26b");
        RequestTarget other = RequestTarget.parse("http://h:1/%63ost/map?%74ype=priv%3ax&pid=a%26b");
        assertEquals(plain, other);
        assertEquals("/cost/map?type=priv:x&pid=a%26b", other.normal());
        assertEquals("/cost/map", other.path());
        assertEquals(Map.of("type", List.of("priv:x"), "pid", List.of("a&b")), other.query());
    }

    @Test
    void aBrokenEncodingIsStillRefusedByTheParser() {
        assertThrows(IllegalArgumentException.class, () -> RequestTarget.parse("/a?b=%zz"));
    }
}
