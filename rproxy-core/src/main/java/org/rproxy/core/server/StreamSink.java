package org.rproxy.core.server;

import java.net.SocketAddress;
import java.util.function.LongConsumer;

import org.rproxy.core.model.Bytes;

/**
 * The writing end of a long-lived {@code text/event-stream} answer ({@link Reply.Stream}), handed
 * to the service once the response head is on its way. Knows nothing of the event format: the
 * caller writes whole, already encoded pieces (WHATWG Server-Sent Events; RFC 8895 §5).
 *
 * <p>Thread-safe: every method may be called from any thread, and none blocks. Writes are handed
 * to the connection's event loop in call order. Backpressure is the caller's to respect:
 * {@link #isWritable()} turns false once more than a window of bytes waits to reach the socket,
 * and the callback given to {@link #onWritable} runs (on the event loop, so it must only hand
 * work off) when enough of it has drained. A sink that is not writable still accepts writes; the
 * window is a signal, not a limit.
 */
public interface StreamSink {

    /**
     * Queues the concatenation of {@code parts} for the socket, without copying them.
     *
     * @return false, writing nothing, when the stream is already closed
     */
    boolean send(Bytes... parts);

    /** True while open and fewer than a window of written bytes wait to reach the socket. */
    boolean isWritable();

    /** True until the stream ends, by {@link #close()}, by the peer, or by the server closing. */
    boolean isOpen();

    /** Bytes handed to {@link #send} that have not reached the socket yet. */
    long pendingBytes();

    /**
     * The peer's address (on HTTP/2, that of the stream's connection), for the service's log lines
     * about this stream; null when the transport does not know it.
     */
    SocketAddress remoteAddress();

    /**
     * Sets the one callback run each time the sink becomes writable again after it was not. Runs
     * on the event loop; must not block.
     */
    void onWritable(Runnable callback);

    /**
     * Sets the one callback told, on the event loop, the size of each send once its bytes have
     * gone through the socket or never will (the stream ended first): every send that returned
     * true is told exactly once. With it a caller bounds what many sinks hold together (the
     * transport copies what waits for a socket into direct memory). Must not block; set it before
     * the first send.
     */
    void onWritten(LongConsumer callback);

    /**
     * Adds a callback run once when the stream ends, on the event loop; runs at once (on the
     * calling thread) when it already has.
     */
    void onClose(Runnable callback);

    /** Ends the response (the last chunk) and closes the connection; idempotent. */
    void close();

    /**
     * Ends the stream at once, dropping what still waits for the socket, and closes the
     * connection (on HTTP/2, the stream); idempotent. For a peer that stopped reading: after
     * {@link #close()} the last chunk waits behind what it does not read, and with it the close
     * and the bytes held for it.
     */
    void abort();
}
