package org.rproxy.core.stream;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
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
 * signature event ever claims.
 *
 * <p>An event the follower cannot place fails the stream with a {@link MalformedStreamException}
 * from {@link #feed}, as a line or an event over the limit does: one with no type or with a type
 * that names no substream and is not a control event (RFC 8895 §5 gives every event one of those
 * two forms), and, when the follower was told the media type of each substream's documents, a
 * data event of a subscribed substream in any other media type than that one or a merge patch.
 * Not thread-safe: one instance per stream, fed by one thread at a time.
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

        /**
         * A look at an update's signed fields before its body is rebuilt (signature, the path,
         * expiry, rollback: all but the digest), so that what fails there costs no rebuild.
         *
         * @return false to drop the update unrebuilt (the listener has dealt with it)
         */
        default boolean admits(String substream, FieldLookup fields) {
            return true;
        }

        /**
         * An update whose signature event is the same signing as the version held (accepted, or
         * named when subscribing): dropped as it came, with whatever data came before it.
         */
        default void onRepeated(String substream) {
        }

        /**
         * A control event says the source stopped {@code substream} (RFC 8895 §6.3: the document
         * is gone, or, at an rproxy node, its version cannot travel as event data): nothing more
         * comes for it on this stream. Its data event waiting for a signature is dropped.
         */
        default void onStopped(String substream, String description) {
        }

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
    /** Substream id to the media type of its documents; empty when not told (then any data type is taken). */
    private final Map<String, String> mediaTypes;
    private final SseParser parser;
    private final Map<String, Bytes> held = new HashMap<>(4);
    /** The signed fields of the uncompressed variant held, by substream, when known. */
    private final Map<String, List<HeaderField>> heldFields = new HashMap<>(4);
    private final Map<String, UpdateApplier.Data> pending = new HashMap<>(4);

    /**
     * @param maxEvent   the largest event accepted, in bytes (a stream that sends more fails)
     * @param substreams the substream ids subscribed to; events of any other are dropped
     */
    public StreamFollower(int maxEvent, Set<String> substreams, Listener listener) {
        this(maxEvent, Set.copyOf(substreams), Map.of(), listener);
    }

    /**
     * @param maxEvent   the largest event accepted, in bytes (a stream that sends more fails)
     * @param mediaTypes the substream ids subscribed to, each with the media type of its documents:
     *                   a data event of another type (nor a merge patch) fails the stream; events
     *                   of any other substream are dropped
     */
    public StreamFollower(int maxEvent, Map<String, String> mediaTypes, Listener listener) {
        this(maxEvent, Set.copyOf(mediaTypes.keySet()), Map.copyOf(mediaTypes), listener);
    }

    private StreamFollower(int maxEvent, Set<String> substreams, Map<String, String> mediaTypes, Listener listener) {
        this.listener = requireNonNull(listener, "listener");
        this.substreams = substreams;
        this.mediaTypes = mediaTypes;
        this.parser = new SseParser(maxEvent, this::onEvent, () -> { });
    }

    /**
     * Feeds {@code len} bytes of the stream's body from {@code off}.
     *
     * @throws MalformedStreamException when the stream breaks the event format's limits or sends
     *                                   an event it cannot place (see the class comment)
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
        heldFields.remove(substream);
    }

    /**
     * Holds {@code body} as {@link #hold(String, Bytes)} does, with {@code fields}, the header
     * fields it was verified with: an update that repeats that signing is dropped unrebuilt.
     */
    public void hold(String substream, Bytes body, List<HeaderField> fields) {
        hold(substream, body);
        heldFields.put(substream, List.copyOf(fields));
    }

    /** The accepted body of {@code substream}, or null. */
    public Bytes held(String substream) {
        return held.get(substream);
    }

    private void onEvent(SseParser.Event e) {
        String type = e.type();
        int comma = type.lastIndexOf(',');
        if (comma < 0) {
            if (type.equals(MediaTypes.UPDATE_STREAM_CONTROL)) {
                onControl(e.data());
                return;
            }
            throw new MalformedStreamException("an event of type '" + shorten(type)
                    + "': an update stream's events name a media type and a substream, or are control events");
        }
        String media = type.substring(0, comma);
        String substream = type.substring(comma + 1);
        if (!substreams.contains(substream)) {
            return;
        }
        if (media.equals(SignatureEvent.MEDIA_TYPE)) {
            onSignature(substream, e.data());
            return;
        }
        boolean patch = media.equals(MediaTypes.MERGE_PATCH);
        String expected = mediaTypes.get(substream);
        if (!patch && expected != null && !sameType(media, expected)) {
            throw new MalformedStreamException("an event of type '" + shorten(media) + "' for substream " + substream
                    + " (expected: " + expected + ", " + MediaTypes.MERGE_PATCH + " or " + SignatureEvent.MEDIA_TYPE + ")");
        }
        pending.put(substream, new UpdateApplier.Data(patch, e.data()));
    }

    /** A control event: the substreams subscribed to that it says are stopped are told; the rest is not acted on. */
    private void onControl(Bytes data) {
        JsonNode c;
        try {
            c = Jcs.parse(data.unsafeArray());
        } catch (RuntimeException ex) {
            return; // nothing a follower acts on, as the control URI and the documents offered
        }
        for (JsonNode id : c.path("stopped")) {
            if (id.isTextual() && substreams.contains(id.asText())) {
                pending.remove(id.asText());
                listener.onStopped(id.asText(), c.path("description").asText(""));
            }
        }
    }

    /** Whether {@code a} and {@code b} name the same type/subtype (RFC 9110 §8.3.1: case aside, parameters aside). */
    private static boolean sameType(String a, String b) {
        return bare(a).equalsIgnoreCase(bare(b));
    }

    private static String bare(String mediaType) {
        int semi = mediaType.indexOf(';');
        return (semi < 0 ? mediaType : mediaType.substring(0, semi)).trim();
    }

    /** {@code s}, cut to a length fit for a message: the type is the sender's, of any length up to the limit. */
    private static String shorten(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    private void onSignature(String substream, Bytes data) {
        UpdateApplier.Data d = pending.remove(substream);
        SignatureEvent sig;
        try {
            sig = SignatureEvent.parse(data);
        } catch (RuntimeException ex) {
            listener.onRejected(substream, ex.getMessage());
            return;
        }
        List<HeaderField> identity = sig.identity();
        List<HeaderField> before = heldFields.get(substream);
        if (before != null && SignatureEvent.sameSigning(before, identity)) {
            listener.onRepeated(substream);
            return;
        }
        FieldLookup fields = name -> SignatureEvent.get(identity, name);
        Bytes base = held.get(substream);
        if (base != null && !listener.admits(substream, fields)) {
            return;
        }
        Bytes body;
        try {
            String digest = before == null ? null : SignatureEvent.get(before, "content-digest");
            body = UpdateApplier.rebuild(base, d, digest != null && digest.equals(fields.get("content-digest")));
        } catch (RuntimeException ex) {
            listener.onRejected(substream, ex.getMessage());
            return;
        }
        if (body == null) {
            listener.onRejected(substream, "a renewal or patch for a document not held");
            return;
        }
        if (listener.onUpdate(substream, body, fields, d != null && d.patch())) {
            held.put(substream, body);
            heldFields.put(substream, identity);
        }
    }
}
