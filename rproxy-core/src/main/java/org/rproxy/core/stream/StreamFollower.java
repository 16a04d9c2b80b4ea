package org.rproxy.core.stream;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.store.HeaderField;

/**
 * The subscriber's end of one of this project's update streams (RFC 8895), for clients and test
 * tools that follow a stream without being a proxy: it parses the events as they arrive and, at
 * each signature event, rebuilds the bytes the event signs exactly as a push proxy's feed does — the
 * full body sent before it, the held body with the merge patch applied (RFC 7396) in RFC 8785
 * form, or the held body again for a renewal — and asks its {@link Listener} whether to accept
 * them, with the signed header fields of the uncompressed variant. Only accepted bodies are held
 * (and patched next time); a rejected update leaves the held one in place.
 *
 * <p>Holds, per substream, the accepted body and the data event waiting for its signature. Events
 * of substreams not subscribed to are dropped as they come: a source could otherwise have the
 * follower hold one event of up to {@code maxEvent} bytes for every id it invents, which no
 * signature event ever claims. Not thread-safe: one instance per stream, fed by one thread at a time.
 */
public final class StreamFollower {

    /** Decides about each rebuilt update; called on the thread that feeds. */
    public interface Listener {

        /**
         * @param substream the substream id the update came on
         * @param body      the rebuilt bytes (not to be modified)
         * @param fields    a signed header field of the uncompressed variant by lower-case name, or null
         * @param patched   whether the bytes were rebuilt from a merge patch
         * @return true to accept the update (its bytes are held from now on)
         */
        boolean onUpdate(String substream, Bytes body, FieldLookup fields, boolean patched);

        /** An update that could not be rebuilt or whose signature event is malformed. */
        void onRejected(String substream, String reason);
    }

    /** The signed header fields of one update. */
    @FunctionalInterface
    public interface FieldLookup {
        String get(String name);
    }

    private final Listener listener;
    private final Set<String> substreams;
    private final SseParser parser;
    private final Map<String, Bytes> held = new HashMap<>(4);
    private final Map<String, UpdateApplier.Data> pending = new HashMap<>(4);

    /**
     * @param maxEvent   the largest event accepted, in bytes (a stream that sends more fails)
     * @param substreams the substream ids subscribed to; events of any other are dropped
     */
    public StreamFollower(int maxEvent, Set<String> substreams, Listener listener) {
        this.listener = requireNonNull(listener, "listener");
        this.substreams = Set.copyOf(substreams);
        this.parser = new SseParser(maxEvent, this::onEvent, () -> { });
    }

    /**
     * Feeds {@code len} bytes of the stream's body from {@code off}.
     *
     * @throws IllegalStateException when the stream breaks the event format's limits
     */
    public void feed(byte[] b, int off, int len) {
        parser.feed(b, off, len);
    }

    /**
     * Holds {@code body} for {@code substream} as if it had been accepted: the version a client
     * already held when it subscribed naming it by its tag, which later patches apply to.
     */
    public void hold(String substream, Bytes body) {
        held.put(requireNonNull(substream, "substream"), requireNonNull(body, "body"));
    }

    /** The accepted body of {@code substream}, or null. */
    public Bytes held(String substream) {
        return held.get(substream);
    }

    private void onEvent(SseParser.Event e) {
        String type = e.type();
        int comma = type.lastIndexOf(',');
        if (comma < 0) {
            return;
        }
        String media = type.substring(0, comma);
        String substream = type.substring(comma + 1);
        if (!substreams.contains(substream)) {
            return;
        }
        if (media.equals(SignatureEvent.MEDIA_TYPE)) {
            onSignature(substream, e.data());
        } else {
            pending.put(substream, new UpdateApplier.Data(media.equals(MediaTypes.MERGE_PATCH), e.data()));
        }
    }

    private void onSignature(String substream, Bytes data) {
        UpdateApplier.Data d = pending.remove(substream);
        SignatureEvent sig;
        Bytes body;
        try {
            sig = SignatureEvent.parse(data);
            body = UpdateApplier.rebuild(held.get(substream), d);
        } catch (RuntimeException ex) {
            listener.onRejected(substream, ex.getMessage());
            return;
        }
        if (body == null) {
            listener.onRejected(substream, "a renewal or patch for a document not held");
            return;
        }
        List<HeaderField> identity = sig.identity();
        if (listener.onUpdate(substream, body, name -> SignatureEvent.get(identity, name), d != null && d.patch())) {
            held.put(substream, body);
        }
    }
}
