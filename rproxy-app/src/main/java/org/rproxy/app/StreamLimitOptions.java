package org.rproxy.app;

import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.PushConfig;

import picocli.CommandLine.Option;

/**
 * The options of {@code rproxy origin} and {@code rproxy proxy} that bound a node's update streams
 * on {@code /updates}: how many are open at once, and the bytes sent to all of them together that
 * their sockets have not taken yet. One definition for both commands, checked against the bounds of
 * the proxy file's {@code push} keys ({@link PushConfig}'s) on each; one left out is the default, or
 * at a proxy what its file says.
 */
final class StreamLimitOptions {

    @Option(names = "--max-subscribers", paramLabel = "N",
            description = "Update streams open at once on /updates (push.max-subscribers in a proxy's file; default: the"
                    + " heap / 32 KB).")
    Integer maxSubscribers;

    @Option(names = "--max-pending-bytes", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
            description = "Bytes sent to all /updates subscribers together and not yet taken by their sockets (held in"
                    + " direct memory), beyond which a subscriber waits to be sent more (push.max-pending-bytes in a"
                    + " proxy's file; default: a quarter of -XX:MaxDirectMemorySize, at least 64KB).")
    ByteSize maxPendingBytes;

    /**
     * {@code push} with the limits given on top, each checked as {@link PushConfig} checks its
     * key, a refusal naming the option; each refusal is kept in {@code problems} and that limit
     * left as it was, so that the other is still checked ({@link OptionProblems}).
     */
    PushConfig applyTo(PushConfig push, OptionProblems problems) {
        PushConfig withSubscribers = maxSubscribers == null ? push
                : problems.apply(push, p -> ListenLimitOptions.option(() -> p.withMaxSubscribers(maxSubscribers)));
        return maxPendingBytes == null ? withSubscribers
                : problems.apply(withSubscribers, p ->
                        ListenLimitOptions.option(() -> p.withMaxPendingBytes(maxPendingBytes)));
    }

    /**
     * Checks the limits given as {@link #applyTo} does, for a node with no push settings of its
     * own (the origin), keeping each refusal in {@code problems}.
     */
    void check(OptionProblems problems) {
        applyTo(PushConfig.defaults(), problems);
    }
}
