package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.SpooledBody;
import org.rproxy.core.store.Variant;

/**
 * Turns a {@link Reply} into the response to write: 200 or 304 for a representation, the error
 * status with an ALTO body for an error.
 *
 * <p>A representation's bytes are wrapped, never copied (a large body from its direct copy,
 * {@link Variant#directBody()}), or, where the connection allows it (plain HTTP/1.1) and the store
 * spooled the body, not even read: the head goes out with a region of the spooled file, which
 * the kernel sends (sendfile). The variant's fields are copied from their {@link PreparedFields}
 * form, validated and encoded once per variant. The variant body and headers were
 * prepared when the document arrived, so the per-request work is a handful of header fields.
 * Every 200 and 304 carries {@code vary: Accept-Encoding, X-Varnish}, whether or not the
 * representation has a gzip variant: a shared cache then never serves a stored identity answer in
 * place of a gzip one after the origin starts offering gzip, nor a gzip one to a Varnish in front
 * of it; the identity answer to a Varnish's own fetch names only {@code Accept-Encoding}
 * ({@link VariantChoice#fromVarnish}). A 304 carries the variant's fields (validators,
 * content-type, content-digest, alto-resource, signature-input, signature) and the freshness
 * the 200 would carry, without content-length (RFC 9110 §15.4.5). Runs on the event loop.
 */
final class ResponseRenderer {

    /** RFC 9110 §10.2.3: a 503's condition is expected to pass; a second is the shortest useful wait. */
    private static final String RETRY_AFTER_SECONDS = "1";
    /** The {@code Vary} of the identity answer to a Varnish's backend fetch ({@link VariantChoice#fromVarnish}). */
    private static final AsciiString VARNISH_VARY = AsciiString.cached("Accept-Encoding");

    private final Clock clock;
    private final PreparedFields prepared = new PreparedFields();

    ResponseRenderer(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** As {@link #render(RequestHead, Reply, List, BodySpool)} with every body from memory. */
    FullHttpResponse render(RequestHead head, Reply reply, List<HeaderField> extraHeaders) {
        return (FullHttpResponse) render(head, reply, extraHeaders, null);
    }

    /**
     * The response to {@code reply}: a {@link FullHttpResponse}, or a {@link Spooled} head whose
     * body is a file of {@code files} (null: none on this connection) to write after it.
     */
    HttpResponse render(RequestHead head, Reply reply, List<HeaderField> extraHeaders, BodySpool files) {
        return render(head, reply, extraHeaders, files, null);
    }

    /**
     * As {@link #render(RequestHead, Reply, List, BodySpool)}, with a {@code connection} field
     * ({@code close}, {@code keep-alive}; null: none). Set here, since a 200's head may be shared
     * with other responses and must not be changed once rendered.
     */
    HttpResponse render(RequestHead head, Reply reply, List<HeaderField> extraHeaders, BodySpool files,
                        AsciiString connection) {
        if (reply instanceof Reply.Ok ok) {
            return representation(head, ok.representation(), files, connection);
        }
        HttpResponse response = otherThanOk(head, reply, extraHeaders);
        if (connection != null) {
            response.headers().set(HttpHeaderNames.CONNECTION, connection);
        }
        return response;
    }

    private HttpResponse otherThanOk(RequestHead head, Reply reply, List<HeaderField> extraHeaders) {
        if (reply instanceof Reply.NoContent) {
            return noContent();
        }
        Reply.Error error = (Reply.Error) reply;
        FullHttpResponse response = error(head, error.error(), error.dialect(), extraHeaders);
        if (error.allow() != null) {
            response.headers().set(HttpHeaderNames.ALLOW, error.allow());
        }
        return response;
    }

    FullHttpResponse representation(RequestHead head, Representation representation) {
        return (FullHttpResponse) representation(head, representation, null, null);
    }

    /**
     * A 200 whose body is in {@code files} comes as a {@link Spooled} head with its region, taken
     * last, so that nothing can fail between taking the file's reference and handing it over.
     */
    private HttpResponse representation(RequestHead head, Representation representation, BodySpool files,
                                        AsciiString connection) {
        Variant variant = representation.select(head.acceptsGzip());
        boolean notModified = ConditionalGet.notModified(head.method(), head.ifNoneMatch(), variant.etag());
        HttpResponseStatus status = notModified ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK;
        Instant now = clock.instant();
        if (notModified || connection != null || head.isHead() || head.fromVarnish()) {
            HttpHeaders h = headers(representation, variant, notModified, now);
            if (connection != null) {
                h.set(HttpHeaderNames.CONNECTION, connection);
            }
            if (head.fromVarnish()) {
                h.set(HttpHeaderNames.VARY, VARNISH_VARY); // see VariantChoice.fromVarnish
            }
            if (notModified || head.isHead()) {
                return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER, h, trailers());
            }
            return ok(h, null, variant, files);
        }
        return ok(null, prepared.okHead(representation, variant, now,
                () -> headers(representation, variant, false, now)), variant, files);
    }

    /** A 200 with {@code own} fields or a {@code shared} head, its body from {@code files} when spooled there. */
    private static HttpResponse ok(HttpHeaders own, PreparedFields.SharedHead shared, Variant variant, BodySpool files) {
        HttpHeaders h = shared != null ? shared.headers() : own;
        SpooledBody file = files == null ? null : files.acquire(variant.body());
        if (file != null) {
            return new Spooled(h, new SpooledRegion(file), shared);
        }
        return new Full(h, body(variant), shared);
    }

    private HttpHeaders headers(Representation representation, Variant variant, boolean notModified, Instant now) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add(prepared.of(variant));
        if (!notModified) {
            if (variant.contentEncoding() != null && !h.contains(HttpHeaderNames.CONTENT_ENCODING)) {
                h.set(HttpHeaderNames.CONTENT_ENCODING, variant.contentEncoding());
            }
            h.set(HttpHeaderNames.CONTENT_LENGTH, variant.body().length());
        }
        h.set(HttpHeaderNames.CACHE_CONTROL, Freshness.cacheControl(representation, now));
        h.set(HttpHeaderNames.DATE, prepared.date(now));
        return h;
    }

    private static HttpHeaders trailers() {
        return new DefaultHttpHeaders();
    }

    /**
     * The head of a 200 whose body the kernel sends from a spooled file: write the head, then
     * {@link #region()}, then {@link LastHttpContent#EMPTY_LAST_CONTENT}. The region holds a
     * reference on the file until Netty releases it, once written or dropped.
     */
    static final class Spooled extends DefaultHttpResponse implements Shareable {
        private final SpooledRegion region;
        private final PreparedFields.SharedHead shared;

        Spooled(HttpHeaders headers, SpooledRegion region, PreparedFields.SharedHead shared) {
            super(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, headers);
            this.region = region;
            this.shared = shared;
        }

        SpooledRegion region() {
            return region;
        }

        @Override
        public PreparedFields.SharedHead shared() {
            return shared;
        }
    }

    /** A 200 whose body is in memory. */
    static final class Full extends DefaultFullHttpResponse implements Shareable {
        private final PreparedFields.SharedHead shared;

        Full(HttpHeaders headers, ByteBuf content, PreparedFields.SharedHead shared) {
            super(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content, headers, trailers());
            this.shared = shared;
        }

        @Override
        public PreparedFields.SharedHead shared() {
            return shared;
        }
    }

    /**
     * A 200 whose head may be shared: then its bytes, once encoded, can be written as they are
     * in place of the head ({@link EncodedResponse}).
     */
    interface Shareable {
        /** The shared head this response's fields are, or null: fields of its own. */
        PreparedFields.SharedHead shared();
    }

    /**
     * The body wrapped, not copied: a large one from its direct copy, which the channel writes as
     * is (a heap buffer would be copied into a new direct buffer on every write). Releasing the
     * wrapper frees nothing: the copy belongs to the variant. The copy is used only when its owner
     * (the store, the origin's signer) has made it off the event loop: making one here would put
     * an allocation that can wait for the garbage collector on the event loop, for an answer
     * (a computed query) that may be written only once.
     */
    private static ByteBuf body(Variant variant) {
        return variant.hasDirectBody() && variant.body().hasDirectCopy()
                ? Unpooled.wrappedBuffer(variant.directBody())
                : Unpooled.wrappedBuffer(variant.body().unsafeArray());
    }

    FullHttpResponse noContent() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        response.headers().set(HttpHeaderNames.DATE, date());
        return response;
    }

    FullHttpResponse error(RequestHead head, AltoError error, Dialect dialect, List<HeaderField> extraHeaders) {
        byte[] body = ErrorResponses.body(error, dialect);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(error.httpStatus()),
                head.isHead() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, ErrorResponses.contentType(error, dialect));
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        h.set(HttpHeaderNames.DATE, date());
        if (error.httpStatus() == 503) {
            // Every 503 here is a passing condition (starting, stopping, overloaded, full): say when to come back.
            h.set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        for (HeaderField f : extraHeaders) {
            h.set(f.name(), f.value());
        }
        return response;
    }

    private AsciiString date() {
        return prepared.date(clock.instant());
    }
}
