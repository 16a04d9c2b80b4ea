package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.server.UpdateStreamMount;
import org.rproxy.core.store.Representation;

/** A stream mounted on the origin's service keeps the 405s of both saying what each resource accepts. */
class UpdateStreamMountTest {

    /** The documents: GET-only at /directory, nothing else. */
    private static final AltoService DOCUMENTS = new AltoService() {
        @Override
        public CompletableFuture<Reply> handle(AltoRequest request) {
            return CompletableFuture.completedFuture(Reply.error(AltoError.invalidValue("uri", request.path(),
                    "no such resource").withStatus(404), Dialect.JSON));
        }

        @Override
        public String allow(String path) {
            return path.equals("/directory") ? "GET, HEAD" : null;
        }
    };

    /** A stream at /updates that answers its own paths with 204 and hands the rest to the documents. */
    private static final UpdateStreamMount STREAM = new UpdateStreamMount() {
        @Override
        public String path() {
            return "/updates";
        }

        @Override
        public AltoService wrap(AltoService documents) {
            return request -> request.path().startsWith("/updates")
                    ? CompletableFuture.completedFuture(new Reply.NoContent()) : documents.handle(request);
        }

        @Override
        public void installed(Map<String, Representation> documents) {
        }
    };

    @Test
    void streamPathsAcceptPostAndTheRestWhatTheDocumentsSay() {
        AltoService mounted = STREAM.mount(DOCUMENTS);
        assertEquals("POST", mounted.allow("/updates"));
        assertEquals("POST", mounted.allow("/updates/control/abc"));
        assertEquals("GET, HEAD", mounted.allow("/directory"));
        assertNull(mounted.allow("/updatesx"));
    }

    @Test
    void theFrontEndAnswersWithWhatTheMountedServiceSays() throws Exception {
        try (AltoHttpServer server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), STREAM.mount(DOCUMENTS))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String base = "http://127.0.0.1:" + server.localAddress().getPort();
            HttpResponse<String> stream = http.send(HttpRequest.newBuilder(URI.create(base + "/updates"))
                    .method("PUT", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, stream.statusCode());
            assertEquals("POST", stream.headers().firstValue("allow").orElse(null));
            HttpResponse<String> doc = http.send(HttpRequest.newBuilder(URI.create(base + "/directory"))
                    .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, doc.statusCode());
            assertEquals("GET, HEAD", doc.headers().firstValue("allow").orElse(null));
            HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/nothing"))
                    .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, none.statusCode());
            assertTrue(none.body().contains("\"field\":\"uri\""), none.body());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/updates"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, post.statusCode(), "the stream still answers its own paths");
        }
    }
}
