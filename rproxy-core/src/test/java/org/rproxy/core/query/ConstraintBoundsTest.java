package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;
import static org.rproxy.core.query.Fixtures.rfcCostMap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

/** The limit on constraints per request, and their collapsed evaluation against the linear one. */
class ConstraintBoundsTest {
    private static final String NUM = "\"cost-type\": {\"cost-mode\": \"numerical\", \"cost-metric\": \"routingcost\"}";
    private static final double[] VALUES = {-1, -0.0, 0, 1, 2.5};
    private static final double[] COSTS = {Double.NEGATIVE_INFINITY, -2, -1, -0.5, -0.0, 0, 0.5, 1, 2, 2.5, 3,
        Double.POSITIVE_INFINITY, Double.NaN};

    /** {@code ["ge -1", "ge -2", ...]}: always true on the RFC map's costs, all distinct. */
    private static String constraints(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "\"ge -" + i + "\"").collect(Collectors.joining(",", "[", "]"));
    }

    @Test
    void moreConstraintsThanTheLimitAreRefusedAsTheRequestIsRead() {
        int limit = QueryLimits.MAX_CONSTRAINTS;
        assertEquals(limit, CostMapFilter.fromJson(json("{" + NUM + ", \"constraints\": " + constraints(limit) + "}"))
                .constraints().size());
        for (int n : new int[] {limit + 1, 80_000}) {
            AltoError e = assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "constraints",
                    () -> CostMapFilter.fromJson(json("{" + NUM + ", \"constraints\": " + constraints(n) + "}")));
            assertEquals("constraints: " + n + " constraints (expected: at most " + limit + " per request)", e.message());
            assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "constraints",
                    () -> EndpointCostQuery.fromJson(json("{" + NUM + ", \"constraints\": " + constraints(n)
                            + ", \"endpoints\": {\"srcs\": [\"ipv4:192.0.2.2\"], \"dsts\": [\"ipv4:192.0.2.89\"]}}"), null));
        }
    }

    @Test
    void theLimitCountsEntriesAsSentRepeatsIncluded() {
        String repeated = IntStream.range(0, QueryLimits.MAX_CONSTRAINTS + 1).mapToObj(i -> "\"le 10\"")
                .collect(Collectors.joining(",", "[", "]"));
        assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "constraints",
                () -> CostMapFilter.fromJson(json("{" + NUM + ", \"constraints\": " + repeated + "}")));
    }

    @Test
    void manyConstraintsFilterAsOne() {
        CostMapFilter all = CostMapFilter.fromJson(json("{" + NUM + ", \"constraints\": "
                + constraints(QueryLimits.MAX_CONSTRAINTS) + "}"));
        assertEquals(rfcCostMap().costs(), CostMapFiltering.apply(rfcCostMap(), all).costs());
        CostMapFilter band = CostMapFilter.fromJson(json("{" + NUM + ", \"constraints\": [\"ge 1\", \"gt 4\", \"le 10\","
                + " \"lt 20\", \"ge -3\"], \"pids\": {\"srcs\": [\"PID1\"], \"dsts\": []}}"));
        assertEquals(Map.of("PID1", Map.of("PID2", 5.0, "PID3", 10.0)), CostMapFiltering.apply(rfcCostMap(), band).costs());
    }

    @Test
    void collapsedGivesTheLinearAnswerForEveryPairOfConstraints() {
        List<Constraint> each = new ArrayList<>();
        for (Constraint.Operator op : Constraint.Operator.values()) {
            for (double v : VALUES) {
                each.add(new Constraint(op, v));
            }
        }
        assertAgrees(List.of());
        for (Constraint a : each) {
            assertAgrees(List.of(a));
            for (Constraint b : each) {
                assertAgrees(List.of(a, b));
            }
        }
    }

    @Test
    void collapsedGivesTheLinearAnswerForRandomLists() {
        Random random = new Random(7285);
        Constraint.Operator[] ops = Constraint.Operator.values();
        for (int round = 0; round < 20_000; round++) {
            List<Constraint> list = new ArrayList<>();
            for (int i = random.nextInt(9); i > 0; i--) {
                list.add(new Constraint(ops[random.nextInt(ops.length)], VALUES[random.nextInt(VALUES.length)]));
            }
            assertAgrees(list);
        }
    }

    private static void assertAgrees(List<Constraint> constraints) {
        ConstraintBounds bounds = ConstraintBounds.of(constraints);
        for (double cost : COSTS) {
            assertEquals(Constraint.testAll(constraints, cost), bounds.test(cost), constraints + " on " + cost);
        }
        assertTrue(ConstraintBounds.of(List.of()).test(Double.NaN));
    }
}
