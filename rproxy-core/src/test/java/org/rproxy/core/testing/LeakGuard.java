package org.rproxy.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;


/**
 * Fails a test class when Netty's leak detector reports a buffer that was never released.
 * The detector only reports after the garbage collector has found the buffer, so after the
 * class runs this collects a few times and allocates, which is when reports are logged.
 * Best effort by nature; with paranoid detection every buffer is tracked. A buffer lost late in
 * one class can be reported in the next, so the message names both.
 *
 * <p>Registered for every test class of every module that has the core's test jar, by JUnit's
 * extension auto-detection (the {@code META-INF/services} entry beside this class, switched on in
 * the parent POM's {@code junit.parameters}).
 */
public final class LeakGuard implements BeforeAllCallback, AfterAllCallback {

    private CapturedLogs reports;

    @Override
    public void beforeAll(ExtensionContext context) {
        reports = CapturedLogs.of(ResourceLeakDetector.class);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            for (int i = 0; i < 5; i++) {
                System.gc();
                ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1);
                probe.release();
            }
            List<String> leaks = reports.events().stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("LEAK"))
                    .toList();
            assertEquals(List.of(), leaks, "buffers leaked in " + context.getDisplayName());
        } finally {
            reports.close();
        }
    }
}
