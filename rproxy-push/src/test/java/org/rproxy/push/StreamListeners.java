package org.rproxy.push;

import java.util.Queue;
import java.util.function.Consumer;

import org.rproxy.core.model.AltoError;

/** {@link UpstreamStream.Listener}s for tests that watch what a stream tells, bytes apart. */
final class StreamListeners {

    private StreamListeners() {
    }

    /** Adds {@code opened}, {@code refused: MESSAGE} and {@code closed: REASON} to {@code told}. */
    static UpstreamStream.Listener toldInto(Queue<String> told) {
        return new UpstreamStream.Listener() {
            @Override
            public void opened() {
                told.add("opened");
            }

            @Override
            public void bytes(byte[] data) {
            }

            @Override
            public void refused(AltoError error) {
                told.add("refused: " + error.message());
            }

            @Override
            public void closed(StreamEnd end) {
                told.add("closed: " + end.reason());
            }
        };
    }

    /** Adds only the reason the stream closed for to {@code reasons}. */
    static UpstreamStream.Listener closedInto(Queue<String> reasons) {
        return endsTo(end -> reasons.add(end.reason()));
    }

    /** Adds how the stream ended (its kind and reason) to {@code ends}. */
    static UpstreamStream.Listener endsInto(Queue<StreamEnd> ends) {
        return endsTo(ends::add);
    }

    private static UpstreamStream.Listener endsTo(Consumer<StreamEnd> ends) {
        return new UpstreamStream.Listener() {
            @Override
            public void opened() {
            }

            @Override
            public void bytes(byte[] data) {
            }

            @Override
            public void refused(AltoError error) {
            }

            @Override
            public void closed(StreamEnd end) {
                ends.accept(end);
            }
        };
    }
}
