package org.rproxy.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the {@code blockhound} profile on, a blocking call on a Netty event loop is recorded (with
 * the thread and the stack) and does not break the call itself, file access through
 * {@code java.nio.file} counts as blocking, and the same calls on an ordinary thread are not
 * recorded. The test takes the violation it causes, so its class does not fail.
 */
@EnabledIfSystemProperty(named = BlockingGuard.PROPERTY, matches = "true")
class BlockingGuardTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("blocking-guard-test"), NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSleepOnAnEventLoopIsRecordedWithItsThreadAndStack() throws Exception {
        BlockingGuard.drain();
        group.submit(() -> {
            Thread.sleep(1);
            return null;
        }).get(1, TimeUnit.MINUTES);

        List<String> recorded = BlockingGuard.drain();
        assertEquals(1, recorded.size(), recorded::toString);
        assertTrue(recorded.get(0).contains("java.lang.Thread.sleep"), recorded.get(0));
        assertTrue(recorded.get(0).contains("on thread blocking-guard-test-"), recorded.get(0));
        assertTrue(recorded.get(0).contains(getClass().getName()), recorded.get(0));
    }

    @Test
    void aFileLookedAtThroughJavaNioFileOnAnEventLoopIsRecorded(@TempDir Path dir) throws Exception {
        BlockingGuard.drain();
        boolean exists = group.submit(() -> Files.exists(dir)).get(1, TimeUnit.MINUTES);

        assertTrue(exists);
        List<String> recorded = BlockingGuard.drain();
        assertFalse(recorded.isEmpty());
        assertTrue(recorded.get(0).contains("java.nio.file.Files.exists"), recorded.get(0));
    }

    @Test
    void theReportCountsStacksAlikeButForThePoolThreadOnce() {
        String a1 = "java.lang.Throwable: blocking call x on thread pool-1\n\tat A.a(A.java:1)\n";
        String a2 = "java.lang.Throwable: blocking call x on thread pool-2\n\tat A.a(A.java:1)\n";
        String b = "java.lang.Throwable: blocking call y on thread pool-1\n\tat B.b(B.java:2)\n";

        String report = BlockingGuard.report("SomeTest", List.of(a1, b, a2));

        assertTrue(report.startsWith("3 blocking call(s) on a non-blocking thread (2 distinct) during SomeTest:"),
                report);
        assertTrue(report.contains("[2x] " + a1), report);
        assertTrue(report.contains("[1x] " + b), report);
        assertFalse(report.contains("pool-2"), report);
    }

    @Test
    void aSleepOnAnOrdinaryThreadIsNot() throws Exception {
        BlockingGuard.drain();
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ordinary");
        t.start();
        t.join(60_000);

        assertEquals(List.of(), BlockingGuard.drain());
    }
}
