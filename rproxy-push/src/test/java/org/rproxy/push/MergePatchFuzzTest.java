package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoException;

/**
 * Fuzzes JSON Merge Patch (RFC 7396) with arbitrary pairs of documents: the input is two JSON
 * texts separated by the first LF (inputs that are not two JSON values are skipped). The
 * contract: {@link MergePatch#apply} takes any pair, leaves both untouched, and applying the same
 * patch twice changes nothing more (a merge patch is idempotent); and whenever
 * {@link MergePatch#diff} makes a patch from one document to the other, applying it to the first
 * gives exactly the second, as the push feed relies on. Seeds: {@code MergePatchFuzzTestInputs/<method>/}.
 */
class MergePatchFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void patchesApplyIdempotentlyAndDiffsRebuildTheTarget(byte[] input) {
        int lf = indexOfLf(input);
        if (lf < 0) {
            return;
        }
        JsonNode first;
        JsonNode second;
        try {
            first = AltoJson.parse(Arrays.copyOfRange(input, 0, lf));
            second = AltoJson.parse(Arrays.copyOfRange(input, lf + 1, input.length));
        } catch (AltoException notJson) {
            return;
        }
        JsonNode firstBefore = first.deepCopy();
        JsonNode secondBefore = second.deepCopy();

        JsonNode once = MergePatch.apply(first, second);
        assertEquals(once, MergePatch.apply(once, second), "applying the patch again changed the result");

        JsonNode patch = MergePatch.diff(first, second);
        if (patch != null) {
            assertEquals(second, MergePatch.apply(first, patch), () -> "diff " + patch + " does not rebuild the target");
        }
        assertEquals(firstBefore, first, "an input was modified");
        assertEquals(secondBefore, second, "an input was modified");
    }

    private static int indexOfLf(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
