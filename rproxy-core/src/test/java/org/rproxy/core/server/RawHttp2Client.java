package org.rproxy.core.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * An HTTP/2 client that writes whatever frames a test gives it, valid or not, over one blocking
 * socket (cleartext with prior knowledge, or TLS offering only {@code h2} by ALPN): the hostile
 * peer of the front end's denial-of-service tests, which Netty's own client would refuse to be.
 * Writes happen on the test's thread; a reader thread, started by {@link #startReading} (a test
 * may leave it unstarted to play a peer that never reads), notes what the server says: its
 * GOAWAYs, each stream's final {@code :status} and RST_STREAM, the DATA bytes, and the end of
 * the connection. It acknowledges the server's SETTINGS (its PINGs only when asked to) and gives
 * no flow-control credit. Public for the harness's end-to-end tests, whose clients that never
 * read are made of it.
 */
public final class RawHttp2Client implements AutoCloseable {

    static final Duration WAIT = Http2TestClient.WAIT;

    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int PRIORITY = 0x2;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;

    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;

    static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    /** The largest flow-control window there is (RFC 9113 §6.9.1). */
    public static final long MAX_WINDOW = (1L << 31) - 1;
    /** Every window's size before SETTINGS or WINDOW_UPDATE change it (RFC 9113 §6.9.2). */
    public static final long DEFAULT_WINDOW = 65_535;

    /** RFC 9113 §7 error codes. */
    static final long NO_ERROR = 0x0;
    static final long PROTOCOL_ERROR = 0x1;
    static final long FLOW_CONTROL_ERROR = 0x3;
    static final long STREAM_CLOSED = 0x5;
    static final long REFUSED_STREAM = 0x7;
    static final long COMPRESSION_ERROR = 0x9;
    static final long ENHANCE_YOUR_CALM = 0xb;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    /** The TCP socket under {@link #socket} (the same without TLS): closed at once, with no TLS close to wait for. */
    private final Socket tcp;
    private final OutputStream out;
    private final DataInputStream in;
    /** {@code :scheme} of the requests {@link #get} and {@link #post} write. */
    private final String scheme;
    private final Thread reader;
    /** {last stream id, error code} of the server's GOAWAY (its first, when it sends more). */
    final CompletableFuture<long[]> goAway = new CompletableFuture<>();
    /** {last stream id, error code} of each GOAWAY of the server, in order (RFC 9113 §6.8: a graceful stop sends two). */
    final List<long[]> goAways = new CopyOnWriteArrayList<>();
    /** PINGs the server sent (not acknowledgements of the client's). */
    final AtomicLong serverPings = new AtomicLong();
    /** Whether the reader acknowledges the server's PINGs: off unless {@link #answeringPings}, a peer that never does. */
    private volatile boolean answerPings;
    /** What the reader does on the server's first GOAWAY, before it reads on ({@link #onFirstGoAway}). */
    private volatile Write onFirstGoAway;
    /** Completes when the server ends the connection (end of stream or a reset socket). */
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final AtomicLong dataBytes = new AtomicLong();
    final AtomicLong pingAcks = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final Map<Long, CompletableFuture<Void>> acks = new ConcurrentHashMap<>();
    final AtomicLong settingsAcks = new AtomicLong();
    private final Map<Integer, CompletableFuture<String>> statuses = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Long>> resets = new ConcurrentHashMap<>();
    /** The size of the dynamic table the server's HPACK encoder last said it uses (RFC 7541 §6.3). */
    volatile long tableSize = 4096;
    /** The debug data of the server's GOAWAY: what it says the client did. */
    volatile String goAwayText;
    /** How the connection ended, as the reader saw it. */
    private volatile String ending;
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

    /**
     * Connects, sends the preface and a SETTINGS frame of {@code settings} (identifier, value
     * pairs).
     *
     * @param tls            a context trusting the server's certificate, or null for cleartext
     * @param receiveBuffer  the socket's receive buffer, or 0 for the kernel's: a small one makes
     *                       a peer that stops reading push back at once
     */
    public RawHttp2Client(InetSocketAddress server, SSLContext tls, int receiveBuffer, long... settings) throws IOException {
        this(null, server, tls, receiveBuffer, settings);
    }

    /**
     * As {@link #RawHttp2Client(InetSocketAddress, SSLContext, int, long...)}, from the local
     * address {@code from} (null: the one the kernel picks), so that a test can play a client at
     * another address ({@code 127.0.0.2} is loopback too on Linux).
     */
    public RawHttp2Client(InetAddress from, InetSocketAddress server, SSLContext tls, int receiveBuffer, long... settings)
            throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        s.connect(server, (int) WAIT.toMillis());
        tcp = s;
        if (tls != null) {
            SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(s, "localhost", server.getPort(), true);
            SSLParameters p = t.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2"});
            t.setSSLParameters(p);
            t.startHandshake();
            if (!"h2".equals(t.getApplicationProtocol())) {
                throw new IOException("ALPN chose " + t.getApplicationProtocol() + ", not h2");
            }
            s = t;
        }
        socket = s;
        scheme = tls != null ? "https" : "http";
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        in = new DataInputStream(socket.getInputStream());
        reader = new Thread(this::read, "raw-h2-reader");
        reader.setDaemon(true);
        out.write(PREFACE);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (int i = 0; i < settings.length; i += 2) {
            if (settings[i] == SETTINGS_HEADER_TABLE_SIZE) {
                try {
                    decoder.maxHeaderTableSize(settings[i + 1]); // the server may use as much
                } catch (io.netty.handler.codec.http2.Http2Exception e) {
                    throw new IllegalArgumentException(e);
                }
            }
            payload.write(new byte[] {(byte) (settings[i] >> 8), (byte) settings[i]}, 0, 2);
            payload.write(int32(settings[i + 1]), 0, 4);
        }
        frame(SETTINGS, 0, 0, payload.toByteArray());
        out.flush();
    }

    /** Cleartext, with the kernel's buffers. */
    RawHttp2Client(InetSocketAddress server, long... settings) throws IOException {
        this(server, null, 0, settings);
    }

    /** Frames written by the reader thread when something arrives. */
    @FunctionalInterface
    interface Write {
        void run() throws IOException;
    }

    /** Makes the reader acknowledge the server's PINGs, as RFC 9113 §6.7 asks: a well-behaved peer. */
    RawHttp2Client answeringPings() {
        answerPings = true;
        return this;
    }

    /**
     * Makes the reader run {@code write} as soon as it has read the server's first GOAWAY, before
     * anything behind it (a PING that came with it is acknowledged after): a stream opened while
     * the GOAWAY was on its way, as a client's may be.
     */
    RawHttp2Client onFirstGoAway(Write write) {
        onFirstGoAway = write;
        return this;
    }

    RawHttp2Client startReading() {
        reader.start();
        return this;
    }

    /** Writes one frame (buffered: {@link #flush} sends). */
    synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) (n >> 16), (byte) (n >> 8), (byte) n, (byte) type, (byte) flags,
                (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream});
        out.write(payload);
    }

    public synchronized void flush() throws IOException {
        out.flush();
    }

    /** A request head of {@code GET path} on {@code stream}, in one HEADERS frame, flushed. */
    public void get(int stream, String path, boolean endStream) throws IOException {
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, head(scheme, "GET", path));
        flush();
    }

    /** {@code POST path} with {@code body} of {@code contentType} on {@code stream}: a HEADERS and a DATA frame, flushed. */
    public void post(int stream, String path, String contentType, byte[] body) throws IOException {
        frame(HEADERS, END_HEADERS, stream, head(scheme, "POST", path, "content-type", contentType,
                "content-length", Integer.toString(body.length)));
        frame(DATA, END_STREAM, stream, body);
        flush();
    }

    /**
     * Sends what was written with a PING after it, and waits for its acknowledgement: true once
     * the server has read (and handled) all of it; false when the server ended the connection
     * first (the connection closed, or writing failed). A flood written in
     * small rounds of this kind leaves no bytes unread in the server's socket when it closes, so
     * its close is a FIN behind the GOAWAY, not a reset that may discard it.
     */
    boolean sync() throws InterruptedException {
        long data = 0x5359_4e43_0000_0000L | syncs.incrementAndGet();
        CompletableFuture<Void> ack = new CompletableFuture<>();
        acks.put(data, ack);
        try {
            ping(data);
            flush();
        } catch (IOException e) {
            return false;
        }
        try {
            CompletableFuture.anyOf(ack, closed).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no PING acknowledgement or close within " + WAIT, e);
        }
        return ack.isDone();
    }

    void ping(long data) throws IOException {
        frame(PING, 0, 0, int64(data));
    }

    void rstStream(int stream, long code) throws IOException {
        frame(RST_STREAM, 0, stream, int32(code));
    }

    public void windowUpdate(int stream, long increment) throws IOException {
        frame(WINDOW_UPDATE, 0, stream, int32(increment));
    }

    /** The HPACK block of a request head over cleartext: every field a literal never indexed, new name. */
    static byte[] requestHead(String method, String path, String... more) {
        return head("http", method, path, more);
    }

    /** The HPACK block of a request head of {@code scheme}, as {@link #requestHead} writes it. */
    private static byte[] head(String scheme, String method, String path, String... more) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        literal(b, ":method", method);
        literal(b, ":scheme", scheme);
        literal(b, ":authority", "alto.example");
        literal(b, ":path", path);
        for (int i = 0; i < more.length; i += 2) {
            literal(b, more[i], more[i + 1]);
        }
        return b.toByteArray();
    }

    /** An HPACK literal header field without indexing, with a new name (RFC 7541 §6.2.2). */
    static void literal(ByteArrayOutputStream b, String name, String value) {
        b.write(0x00);
        string(b, name);
        string(b, value);
    }

    /** An HPACK literal header field with incremental indexing, with a new name (RFC 7541 §6.2.1). */
    static void indexedLiteral(ByteArrayOutputStream b, String name, String value) {
        b.write(0x40);
        string(b, name);
        string(b, value);
    }

    /** An HPACK string literal, not Huffman coded. */
    static void string(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        integer(b, 0x00, 7, bytes.length);
        b.write(bytes, 0, bytes.length);
    }

    /** An HPACK integer of an {@code prefix}-bit prefix after the bits {@code first} (RFC 7541 §5.1). */
    static void integer(ByteArrayOutputStream b, int first, int prefix, long value) {
        int max = (1 << prefix) - 1;
        if (value < max) {
            b.write(first | (int) value);
            return;
        }
        b.write(first | max);
        long rest = value - max;
        while (rest >= 128) {
            b.write((int) (rest % 128 + 128));
            rest /= 128;
        }
        b.write((int) rest);
    }

    static byte[] int32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    static byte[] int64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >> (56 - 8 * i));
        }
        return b;
    }

    /** The final {@code :status} the server answered {@code stream} with. */
    CompletableFuture<String> status(int stream) {
        return statuses.computeIfAbsent(stream, s -> new CompletableFuture<>());
    }

    /**
     * Waits for the final {@code :status} of {@code stream}; a timeout says what became of the
     * stream instead (reset, and with which code; a GOAWAY; the connection's end), so a stream
     * refused or dropped is told from one merely slow.
     */
    String awaitStatus(int stream) throws Exception {
        return awaitStatus(stream, WAIT);
    }

    /** As {@link #awaitStatus(int)}, waiting up to {@code within}. */
    String awaitStatus(int stream, Duration within) throws Exception {
        try {
            return status(stream).get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no final :status on stream " + stream + " within " + within + "; " + fate(stream), e);
        }
    }

    /** What the reader has seen of {@code stream} and the connection, for a failed wait's message. */
    String fate(int stream) {
        CompletableFuture<Long> r = reset(stream);
        long[] g = goAway.getNow(null);
        return (r.isDone() ? "the stream was reset, code " + r.join() : "the stream was not reset")
                + (g == null ? ", no GOAWAY" : ", GOAWAY last stream " + g[0] + " code " + g[1] + " (" + goAwayText + ")")
                + (closed.isDone() ? ", the connection ended: " + ending : ", the connection is open");
    }

    /** The error code of the server's RST_STREAM on {@code stream}. */
    CompletableFuture<Long> reset(int stream) {
        return resets.computeIfAbsent(stream, s -> new CompletableFuture<>());
    }

    /** Waits for the error code of the server's RST_STREAM on {@code stream}; a timeout says what became of it instead. */
    long awaitReset(int stream) throws Exception {
        try {
            return reset(stream).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no RST_STREAM on stream " + stream + " within " + WAIT + "; " + fate(stream), e);
        }
    }

    /** The server's GOAWAY error code, once it came. */
    long goAwayCode() throws Exception {
        try {
            return goAway.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)[1];
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no GOAWAY within " + WAIT + (closed.isDone() ? "; the connection was closed: " + ending
                    : "; the connection is open"), e);
        }
    }

    /** Waits until the server has ended the connection. */
    void awaitClosed() throws Exception {
        closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void read() {
        try {
            while (true) {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                onFrame(type, flags, stream, payload);
            }
        } catch (IOException | RuntimeException e) {
            ending = e.toString();
            closed.complete(null);
        }
    }

    private void onFrame(int type, int flags, int stream, byte[] payload) throws IOException {
        switch (type) {
            case DATA -> dataBytes.addAndGet(payload.length);
            case HEADERS -> onHeaders(flags, stream, payload);
            case RST_STREAM -> reset(stream).complete(Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(payload).getInt()));
            case SETTINGS -> {
                if ((flags & ACK) != 0) {
                    settingsAcks.incrementAndGet();
                } else {
                    frame(SETTINGS, ACK, 0, new byte[0]);
                    flush();
                }
            }
            case PING -> {
                if ((flags & ACK) == 0) {
                    serverPings.incrementAndGet();
                    if (answerPings) {
                        frame(PING, ACK, 0, payload);
                        flush();
                    }
                } else {
                    pingAcks.incrementAndGet();
                    CompletableFuture<Void> ack = acks.remove(java.nio.ByteBuffer.wrap(payload).getLong());
                    if (ack != null) {
                        ack.complete(null);
                    }
                }
            }
            case GOAWAY -> {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload);
                long last = b.getInt() & 0x7fffffff;
                long code = Integer.toUnsignedLong(b.getInt());
                goAwayText = new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
                goAways.add(new long[] {last, code});
                if (goAway.complete(new long[] {last, code}) && onFirstGoAway != null) {
                    onFirstGoAway.run();
                }
            }
            default -> { }
        }
    }

    private void onHeaders(int flags, int stream, byte[] payload) {
        if ((flags & END_HEADERS) == 0) {
            throw new IllegalStateException("the test client reads no CONTINUATION");
        }
        // the dynamic table size updates a block starts with (RFC 7541 §4.2, §6.3): the last is the size in use
        for (int i = 0; i < payload.length && (payload[i] & 0xe0) == 0x20; ) {
            long size = payload[i++] & 0x1f;
            if (size == 0x1f) {
                int shift = 0;
                int b;
                do {
                    b = payload[i++] & 0xff;
                    size += (long) (b & 0x7f) << shift;
                    shift += 7;
                } while ((b & 0x80) != 0);
            }
            tableSize = size;
        }
        ByteBuf block = Unpooled.wrappedBuffer(payload);
        try {
            Http2Headers h = decoder.decodeHeaders(stream, block);
            CharSequence status = h.status();
            if (status != null && status.charAt(0) != '1') {
                status(stream).complete(status.toString());
            }
        } catch (Exception e) {
            status(stream).completeExceptionally(e);
        } finally {
            block.release();
        }
    }

    /** Closes the TCP connection at once, with no TLS close to wait for. */
    @Override
    public void close() throws IOException {
        tcp.close();
    }
}
