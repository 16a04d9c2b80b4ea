package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What a running origin serves, asked over a real socket (the maps-limit tests). */
final class ServedDocuments {
    private final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(Origin origin, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Asks for {@code path} every 50 ms until it is served (200), failing after {@code deadline}. */
    void awaitServed(Origin origin, String path, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (get(origin, path).statusCode() != 200) {
            assertTrue(System.nanoTime() < end, path + " still not served after " + deadline);
            Thread.sleep(50); // nothing to wait on: the origin publishes a folder when it has read it
        }
    }
}
