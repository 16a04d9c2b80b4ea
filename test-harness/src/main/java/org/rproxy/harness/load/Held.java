package org.rproxy.harness.load;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * What returning viewers held from an earlier visit: for each target and signed document, the
 * last representation received (entity tag, the fields a verifier needs, body). A returning viewer
 * sends its tag in {@code If-None-Match}; a {@code 304} then freshens the held copy (RFC 9111
 * §4.3.4): its new signature fields are read first, the held ones fill in the rest, and the held
 * body is what is verified. Thread-safe; held bodies are never released (they are few).
 */
final class Held {
    /** Fields kept from a held response. */
    private static final String[] KEPT = {"content-type", "content-digest", "etag", "alto-resource",
            "content-encoding", "signature-input", "signature"};

    /** One held representation. */
    static final class Doc {
        final String etag;
        final ByteBuf body;
        private final Map<String, String> fields;

        Doc(String etag, ByteBuf body, Map<String, String> fields) {
            this.etag = etag;
            this.body = body;
            this.fields = fields;
        }

        String field(String name) {
            return fields.get(name);
        }

        /** The fields of a 304 answer to this copy: the 304's own first, then the held ones. */
        Function<String, String> freshenedBy(HttpHeaders notModified) {
            return name -> {
                String v = notModified.get(name);
                return v != null ? v : fields.get(name);
            };
        }
    }

    private final ConcurrentHashMap<String, Doc> docs = new ConcurrentHashMap<>();

    Doc get(int target, String path) {
        return docs.get(target + " " + path);
    }

    /** Keeps a 200 response as the latest held copy unless one with the same tag is held already. */
    Doc offer(int target, String path, HttpHeaders headers, ByteBuf body) {
        String etag = headers.get("etag");
        if (etag == null) {
            return null;
        }
        String key = target + " " + path;
        Doc current = docs.get(key);
        if (current != null && current.etag.equals(etag)) {
            return current;
        }
        Map<String, String> fields = new HashMap<>();
        for (String name : KEPT) {
            String v = headers.get(name);
            if (v != null) {
                fields.put(name, v);
            }
        }
        Doc doc = new Doc(etag, Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(ByteBufUtil.getBytes(body))), fields);
        docs.put(key, doc);
        return doc;
    }
}
