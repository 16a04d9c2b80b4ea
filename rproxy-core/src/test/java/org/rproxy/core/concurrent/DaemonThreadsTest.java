package org.rproxy.core.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadFactory;

import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

    @Test
    void numberedThreadsAreDaemonsNamedInOrder() {
        ThreadFactory f = DaemonThreads.numbered("rproxy-test");
        Thread a = f.newThread(() -> { });
        Thread b = f.newThread(() -> { });
        assertEquals("rproxy-test-1", a.getName());
        assertEquals("rproxy-test-2", b.getName());
        assertTrue(a.isDaemon() && b.isDaemon());
    }

    @Test
    void namedThreadsKeepTheirName() {
        Thread t = DaemonThreads.named("rproxy-one").newThread(() -> { });
        assertEquals("rproxy-one", t.getName());
        assertTrue(t.isDaemon());
    }
}
