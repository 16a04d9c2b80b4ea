package org.rproxy.core.server;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

/**
 * The header fields of a received request, remembering whether the decoder dropped a
 * {@code Content-Length}. Netty's decoder, given {@code Transfer-Encoding: chunked} together with
 * {@code Content-Length} in HTTP/1.1, removes the length and reads the body as chunked (the
 * documented default of {@code HttpObjectDecoder#handleTransferEncodingChunkedWithContentLength}).
 * RFC 9112 §6.3 lets a server do so, but the pair is the classic request-smuggling desync with a
 * front proxy that trusted the length, so the front end refuses it instead; {@link HeadRules}
 * asks {@link #contentLengthDropped()}. The decoder does not tell, and its parsing is private, so
 * the header section, made by the factory the decoder is given, is the one place that sees the
 * removal. Validates names and values like Netty's default headers. Made and read on the
 * connection's event loop.
 */
final class ReceivedHeaders extends DefaultHttpHeaders {

    /** For {@code HttpDecoderConfig#setHeadersFactory}. */
    static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new ReceivedHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new ReceivedHeaders();
        }
    };

    private static final DefaultHttpHeadersFactory VALIDATION = DefaultHttpHeadersFactory.headersFactory();

    private boolean contentLengthDropped;

    private ReceivedHeaders() {
        super(VALIDATION.getNameValidator(), VALIDATION.getValueValidator());
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH) && contains(name)) {
            contentLengthDropped = true;
        }
        return super.remove(name);
    }

    /** True when a {@code Content-Length} was received and then removed by the decoder. */
    boolean contentLengthDropped() {
        return contentLengthDropped;
    }
}
