package org.rproxy.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class during which a Netty event loop made a blocking call (file or socket I/O
 * through blocking APIs, {@code Thread.sleep}, a wait on a lock or a future...), as found by
 * BlockHound, when the system property {@value #PROPERTY} is {@code true} (the {@code blockhound}
 * Maven profile sets it, with the JVM flag BlockHound needs on JDK 17).
 *
 * <p>BlockHound is installed once per JVM, with the integrations found on the class path (Netty's
 * marks its event-loop threads non-blocking and allows Netty's own bounded calls) and the
 * project's allowances ({@link BlockingAllowances}). A blocking call is not thrown at the caller,
 * where the event loop may only log it and the test sees a hang or a 500: it is recorded with its
 * stack, and the class fails at its end with every distinct stack, as {@link LeakGuard} does for
 * leaks. A call made late in one class can be reported in the next (or, where classes run in
 * parallel, in one running beside it), so the message names the class that reports it.
 *
 * <p>Registered for every test class of every module that has the core's test jar, by JUnit's
 * extension auto-detection; without the property it does nothing and BlockHound is never loaded.
 */
public final class BlockingGuard implements BeforeAllCallback, AfterAllCallback {

    /** The system property that switches the guard on. */
    public static final String PROPERTY = "rproxy.blockhound";

    /** Every blocking call recorded and not yet reported, as its stack trace text. */
    private static final ConcurrentLinkedQueue<String> VIOLATIONS = new ConcurrentLinkedQueue<>();

    /** The most distinct stacks one failure message shows. */
    private static final int SHOWN = 20;

    /** Whether the guard is on in this JVM. */
    public static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (enabled()) {
            Installed.ensure();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!enabled()) {
            return;
        }
        List<String> stacks = drain();
        if (!stacks.isEmpty()) {
            fail(report(context.getDisplayName(), stacks));
        }
    }

    /**
     * The failure message for the calls recorded during one class: each distinct stack once, with
     * how often it was seen (stacks alike but for the thread of a pool that made them count as one).
     */
    static String report(String testClass, List<String> stacks) {
        Map<String, String> first = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String s : stacks) {
            String frames = s.substring(s.indexOf('\n') + 1);
            first.putIfAbsent(frames, s);
            counts.merge(frames, 1, Integer::sum);
        }
        StringBuilder message = new StringBuilder()
                .append(stacks.size()).append(" blocking call(s) on a non-blocking thread (")
                .append(counts.size()).append(" distinct) during ").append(testClass).append(":\n");
        counts.entrySet().stream().limit(SHOWN).forEach(e -> message
                .append("\n[").append(e.getValue()).append("x] ").append(first.get(e.getKey())));
        if (counts.size() > SHOWN) {
            message.append("\n... and ").append(counts.size() - SHOWN).append(" more");
        }
        return message.toString();
    }

    /** Takes every violation recorded so far, each as its stack trace text. */
    static List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String s; (s = VIOLATIONS.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }

    /** Records one blocking call, made on the current thread; called by BlockHound. */
    static void record(String method) {
        Throwable where = new Throwable("blocking call " + method + " on thread "
                + Thread.currentThread().getName());
        StringWriter text = new StringWriter();
        where.printStackTrace(new PrintWriter(text));
        VIOLATIONS.add(text.toString());
    }

    /** BlockHound, installed on first use; a nested class so that nothing loads it when off. */
    private static final class Installed {

        static {
            BlockingAllowances.install();
        }

        static void ensure() {
            // loading the class installed BlockHound
        }
    }
}
