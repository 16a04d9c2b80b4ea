package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ProxyProcessTest {

    @Test
    void extraJvmOptionsAreSplitAtWhiteSpaceAndAbsentWhenUnset() {
        assertEquals(List.of(), ProxyProcess.extraJvmOptions(null));
        assertEquals(List.of(), ProxyProcess.extraJvmOptions("  "));
        assertEquals(List.of("-XX:+UseG1GC", "-Xlog:gc:file=/tmp/gc.log"),
                ProxyProcess.extraJvmOptions(" -XX:+UseG1GC \t -Xlog:gc:file=/tmp/gc.log\n"));
    }
}
