package org.rproxy.core.stream;

/**
 * An update stream broke the event format or this project's use of it: a line or an event over
 * the limit ({@link SseParser}), an event with no type or a type no RFC 8895 stream sends, a data
 * event of another media type than its substream's documents ({@link StreamFollower}). The
 * sender's fault, whoever reads the stream: it cannot be read on from there. An
 * {@link IllegalStateException}, as the stream's limits always were, so callers that end a stream
 * on those end it on these too; one that wants to tell the sender's fault from its own catches this.
 */
public final class MalformedStreamException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public MalformedStreamException(String message) {
        super(message);
    }
}
