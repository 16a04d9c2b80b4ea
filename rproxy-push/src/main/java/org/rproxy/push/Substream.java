package org.rproxy.push;

import static java.util.Objects.requireNonNull;

/** One substream of a {@link Subscription}: what it follows and what it was sent. Confined to the publisher's thread. */
final class Substream {
    final String id;
    /** The track followed: a document's request target, or a query's key ({@link QueryKey}). */
    final String target;
    final boolean incremental;
    /** The tag the client said it holds, until the track is first seen and it is resolved. */
    private String heldTag;
    String sentVersion;
    long sentSignature = -1;
    /** Its place in the stream's order, given when added ({@link Subscription#add}). */
    long seq;

    Substream(String id, String target, boolean incremental, String heldTag) {
        this.id = requireNonNull(id, "id");
        this.target = requireNonNull(target, "target");
        this.incremental = incremental;
        this.heldTag = heldTag;
    }

    /** True when {@code t} (null: not held yet) has a version or signature this substream was not sent. */
    boolean behind(Track t, boolean signatures) {
        if (t == null) {
            return false;
        }
        if (heldTag != null) {
            // First look at the document: the client's tag names the version it holds, if kept.
            sentVersion = t.versionFor(heldTag);
            heldTag = null;
        }
        return !t.versionId().equals(sentVersion)
                || signatures && t.signed() && sentSignature != t.signatureVersion();
    }
}
