package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.IpAddress;

/**
 * The streaming query readers ({@code fromJson(byte[])}) against the tree readers they replaced
 * ({@link TreeQueryReaders}), on generated bodies: requests well formed and not, members of
 * the right and the wrong types, values good and bad, repeated members, numbers past a
 * double's range or the parser's limits, nesting past its depth, bytes that are not UTF-8,
 * content after the value, and random cuts and insertions in their text. For every body both
 * give the same query or the same RFC 7285 error (code, field, value, message, status).
 */
class RequestReadersDifferentialTest {
    private static final int BODIES_PER_READER = 4000;
    /** The pools below start with this many good values (of the pool's kind); bad ones follow. */
    private static final int GOOD = 3;

    /** A body made of good values only, with every member it needs: a query most of the time. */
    private boolean clean;

    private static final String[] PIDS = {"PID1", "PID2", "mypid", "PID3", "", "a b", "x".repeat(65), "p.q-r_s:t",
        "PID\u00e9", "my-default-network-map.pid"};
    private static final String[] ENDPOINTS = {"ipv4:192.0.2.1", "ipv4:198.51.100.34", "ipv6:2001:db8::1",
        "ipv6:::ffff:192.0.2.1", "ipv4:300.1.1.1", "ipv4:192.0.2.1/24", "ipv6:zz::", "192.0.2.1", "ipv4:",
        "IPV4:192.0.2.1", "ipv6:2001:DB8::0:1", "ipv4:01.2.3.4"};
    private static final String[] CONSTRAINTS = {"le 10", "ge -1", "eq 5", "gt 1.5", "lt 1e3", "le 1e999",
        "ge NaN", "le 0x10", "le", "le  10", "LE 10", "le 10 20", "ne 3", "le -0", "le 00", "eq 1E+2", "le 1.",
        "le .5", "le +1"};
    private static final String[] PROPERTIES = {"my-default-network-map.pid", "pid", "priv:ietf-type",
        "my-default-network-map.priv:x", "", "y".repeat(98), "x.y.z"};
    private static final String[] TYPES = {"ipv4", "ipv6", "ipx", "IPV4", ""};
    private static final String[] MODES = {"numerical", "ordinal", "Numerical", "", "array"};
    private static final String[] METRICS = {"routingcost", "hopcount", "priv:latency", "bad metric", "",
        "m".repeat(40), "delay-ow"};
    private static final String[] NUMBERS = {"0", "-0", "1", "1.0", "1e2", "1E-2", "-1.5e+3", "1e999", "-1e999",
        "12345678901234567890", "0.1", "123456789012345678901234567890.5", "1" + "0".repeat(1200),
        "0." + "1".repeat(1100), "2147483648", "-9223372036854775809", "4.9e-325"};
    private static final String[] SPECIAL = {"", " ", "\n\t", "null", "[]", "\"s\"", "1", "{}", "true",
        "{} x", "{}{}", "{} ", "[1,2", "{\"a\":1,\"a\":2}", "{\"pids\":[NaN]}", "{\"pids\":[Infinity]}",
        "{\"pids\":[1e999]}", "{\"pids\":[-0.0]}", "{\"pids\":[1.0]}", "{\"pids\":[01]}", "/*c*/{}",
        "{'pids':[]}", "{\"pids\":[\"\\x\"]}", "{\"pids\":[\"\\ud800\"]}", "{\"pids\":[\"a\tb\"]}",
        "{\"pids\":[],}", "{\"pids\":[,]}", "\ufeff{\"pids\":[]}", "{\"pids\":[]}\u0000",
        "{\"x\":" + "[".repeat(1001) + "]".repeat(1001) + ", \"pids\":[]}",
        "{\"x\":" + "[".repeat(999) + "]".repeat(999) + ", \"pids\":[]}",
        "{\"pids\":[" + "[".repeat(1001) + "]".repeat(1001) + "]}",
        "{\"pids\":[], \"x\":" + "1".repeat(1001) + "}", "{\"pids\":[\"" + "1".repeat(1001) + "\"]}",
        "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\",\"cost-mode\":\"ordinal\"}}",
        "{\"properties\":[\"pid\"],\"endpoints\":[\"ipv4:192.0.2.1\"]} [",
        "{\"pids\":[\"PID1\"]} // c"};

    @Test
    void networkMapFilterReadsAsTheTreeDid() {
        compare(TreeQueryReaders::networkMapFilter, NetworkMapFilter::fromJson, 1, this::networkMapFilterBody);
    }

    @Test
    void costMapFilterReadsAsTheTreeDid() {
        compare(TreeQueryReaders::costMapFilter, CostMapFilter::fromJson, 2, this::costMapFilterBody);
    }

    @Test
    void endpointCostQueryReadsAsTheTreeDid() {
        IpAddress client = IpAddress.parseTyped("ipv4:203.0.113.7", "test");
        compare(b -> TreeQueryReaders.endpointCostQuery(b, null), b -> EndpointCostQuery.fromJson(b, null), 3,
                this::endpointCostBody);
        compare(b -> TreeQueryReaders.endpointCostQuery(b, client), b -> EndpointCostQuery.fromJson(b, client), 4,
                this::endpointCostBody);
    }

    @Test
    void endpointPropertyQueryReadsAsTheTreeDid() {
        compare(TreeQueryReaders::endpointPropertyQuery, EndpointPropertyQuery::fromJson, 5,
                this::endpointPropertyBody);
    }

    private void compare(Function<byte[], Object> tree, Function<byte[], Object> streaming, long seed,
                         Function<SplittableRandom, String> bodies) {
        SplittableRandom random = new SplittableRandom(seed);
        int read = 0;
        int refused = 0;
        List<byte[]> inputs = new ArrayList<>();
        for (String s : SPECIAL) {
            inputs.add(s.getBytes(StandardCharsets.UTF_8));
        }
        inputs.add(new byte[] {'{', '"', 'p', 'i', 'd', 's', '"', ':', '[', '"', (byte) 0xc0, (byte) 0xaf, '"', ']', '}'});
        inputs.add(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'});
        inputs.add(new byte[] {0, '{', 0, '}'});
        for (int i = 0; i < BODIES_PER_READER; i++) {
            clean = random.nextInt(3) == 0;
            String body = bodies.apply(random);
            inputs.add((clean ? body : mutate(random, body)).getBytes(StandardCharsets.UTF_8));
        }
        for (byte[] body : inputs) {
            Object expected = outcome(tree, body);
            assertEquals(expected, outcome(streaming, body), () -> new String(body, StandardCharsets.UTF_8));
            if (expected instanceof String || expected instanceof AltoError) {
                refused++;
            } else {
                read++;
            }
        }
        // the generator reaches both sides of every reader
        assertTrue(read > BODIES_PER_READER / 10, "queries read: " + read);
        assertTrue(refused > BODIES_PER_READER / 10, "bodies refused: " + refused);
    }

    private static Object outcome(Function<byte[], Object> reader, byte[] body) {
        try {
            return reader.apply(body);
        } catch (AltoException e) {
            return e.error();
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private String networkMapFilterBody(SplittableRandom r) {
        List<String> members = new ArrayList<>();
        maybe(r, members, 0.9, "pids", () -> stringArray(r, PIDS));
        maybe(r, members, 0.5, "address-types", () -> stringArray(r, TYPES));
        return object(r, members);
    }

    private String costMapFilterBody(SplittableRandom r) {
        List<String> members = new ArrayList<>();
        maybe(r, members, 0.9, "cost-type", () -> costType(r));
        maybe(r, members, 0.5, "constraints", () -> !clean && r.nextInt(30) == 0 ? manyConstraints(r) : stringArray(r, CONSTRAINTS));
        maybe(r, members, 0.7, "pids", () -> {
            List<String> inner = new ArrayList<>();
            maybe(r, inner, 0.8, "srcs", () -> stringArray(r, PIDS));
            maybe(r, inner, 0.8, "dsts", () -> stringArray(r, PIDS));
            return object(r, inner);
        });
        return object(r, members);
    }

    private String endpointCostBody(SplittableRandom r) {
        List<String> members = new ArrayList<>();
        maybe(r, members, 0.9, "cost-type", () -> costType(r));
        maybe(r, members, 0.4, "constraints", () -> stringArray(r, CONSTRAINTS));
        maybe(r, members, 0.9, "endpoints", () -> {
            List<String> inner = new ArrayList<>();
            maybe(r, inner, 0.85, "srcs", () -> stringArray(r, ENDPOINTS));
            maybe(r, inner, 0.85, "dsts", () -> stringArray(r, ENDPOINTS));
            return object(r, inner);
        });
        return object(r, members);
    }

    private String endpointPropertyBody(SplittableRandom r) {
        List<String> members = new ArrayList<>();
        maybe(r, members, 0.9, "properties", () -> stringArray(r, PROPERTIES));
        maybe(r, members, 0.9, "endpoints", () -> stringArray(r, ENDPOINTS));
        return object(r, members);
    }

    private String costType(SplittableRandom r) {
        List<String> members = new ArrayList<>();
        maybe(r, members, 0.9, "cost-mode", () -> string(r, clean ? MODES[r.nextInt(2)] : pick(r, MODES)));
        maybe(r, members, 0.9, "cost-metric", () -> string(r, clean ? METRICS[r.nextInt(GOOD)] : pick(r, METRICS)));
        maybe(r, members, 0.3, "description", () -> string(r, "a description \u00e9"));
        return object(r, members);
    }

    private static String manyConstraints(SplittableRandom r) {
        int n = QueryLimits.MAX_CONSTRAINTS - 2 + r.nextInt(5);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.nextInt(n) == 0 ? "7" : "\"ge -" + i + "\"");
        }
        return "[" + String.join(",", out) + "]";
    }

    /** Adds {@code name} with a good value ({@code good}) or any other, or leaves it out; sometimes twice. */
    private void maybe(SplittableRandom r, List<String> members, double p, String name,
                       Supplier<String> good) {
        if (r.nextDouble() >= (clean ? Math.min(1, 2 * p) : p)) {
            return;
        }
        String value = !clean && r.nextInt(8) == 0 ? anyValue(r, 2) : good.get();
        members.add(string(r, name) + ws(r) + ":" + ws(r) + value);
        if (!clean && r.nextInt(60) == 0) {
            members.add(string(r, name) + ":" + anyValue(r, 1));
        }
    }

    private String object(SplittableRandom r, List<String> members) {
        if (r.nextInt(6) == 0) {
            members.add(string(r, pick(r, new String[] {"x-other", "meta", "pids2", "cost-type "})) + ":" + anyValue(r, 2));
        }
        for (int i = members.size() - 1; i > 0; i--) {
            Collections.swap(members, i, r.nextInt(i + 1));
        }
        return "{" + ws(r) + String.join("," + ws(r), members) + ws(r) + "}";
    }

    private String stringArray(SplittableRandom r, String[] pool) {
        int n = clean ? 1 + r.nextInt(4) : r.nextInt(5);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(clean ? string(r, pool[r.nextInt(GOOD)]) : r.nextInt(12) == 0 ? anyValue(r, 1) : string(r, pick(r, pool)));
        }
        return "[" + ws(r) + String.join("," + ws(r), out) + ws(r) + "]";
    }

    private String anyValue(SplittableRandom r, int depth) {
        switch (r.nextInt(depth > 0 ? 8 : 6)) {
            case 0: return pick(r, NUMBERS);
            case 1: return r.nextBoolean() ? "true" : "false";
            case 2: return "null";
            case 3: return string(r, pick(r, r.nextBoolean() ? PIDS : ENDPOINTS));
            case 4: return "[]";
            case 5: return "{}";
            case 6: {
                List<String> out = new ArrayList<>();
                for (int i = r.nextInt(3); i >= 0; i--) {
                    out.add(anyValue(r, depth - 1));
                }
                return "[" + String.join(",", out) + "]";
            }
            default: {
                List<String> out = new ArrayList<>();
                for (int i = r.nextInt(3); i >= 0; i--) {
                    out.add(string(r, "k" + r.nextInt(3)) + ":" + anyValue(r, depth - 1));
                }
                return "{" + String.join(",", out) + "}";
            }
        }
    }

    /** A JSON string, sometimes with its characters escaped as {@code \\uXXXX}. */
    private static String string(SplittableRandom r, String s) {
        StringBuilder b = new StringBuilder("\"");
        boolean escapeAll = r.nextInt(20) == 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escapeAll || c < 0x20 || c == '"' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String ws(SplittableRandom r) {
        return r.nextInt(4) == 0 ? pick(r, new String[] {" ", "\n", "\t ", "\r\n  "}) : "";
    }

    /** Most bodies as made; some cut, with a character put in or taken out, or content after them. */
    private static String mutate(SplittableRandom r, String body) {
        int k = r.nextInt(10);
        if (k >= 3 || body.isEmpty()) {
            return body;
        }
        int at = r.nextInt(body.length());
        switch (k) {
            case 0: return body.substring(0, at) + body.substring(at + 1);
            case 1: return body.substring(0, at) + pick(r, new String[] {"{", "}", "[", "]", ",", ":", "\"", "\\",
                "0", "-", "e", ".", "n", " ", "\u00e9", "NaN", "1e999"}) + body.substring(at);
            default: return r.nextBoolean() ? body.substring(0, at) : body + pick(r, new String[] {" x", " {}", "\n", "]", "0"});
        }
    }

    private static String pick(SplittableRandom r, String[] pool) {
        return pool[r.nextInt(pool.length)];
    }
}
