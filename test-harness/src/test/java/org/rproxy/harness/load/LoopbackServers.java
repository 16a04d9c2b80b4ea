package org.rproxy.harness.load;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

/**
 * Real servers on 127.0.0.1 for the load tests: one that never answers (also a TLS server that
 * never answers a handshake, for the harness's ITs), one that answers from a script.
 */
public final class LoopbackServers {
    /** The network map viewers' addresses come from, and that {@link Scripted#DOCUMENTS} serves. */
    static final String NETWORK_MAP = "{\"meta\":{\"vtag\":{\"resource-id\":\"net\",\"tag\":\"t1\"}},"
            + "\"network-map\":{\"local\":{\"ipv4\":[\"10.0.0.0/8\"]},\"rest\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";
    static final String DIRECTORY = "{\"meta\":{\"default-alto-network-map\":\"net\",\"cost-types\":{\"num-routing\":"
            + "{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}}},\"resources\":{"
            + "\"net\":{\"uri\":\"/networkmap/net\",\"media-type\":\"application/alto-networkmap+json\"},"
            + "\"fcm\":{\"uri\":\"/costmap/filtered\",\"media-type\":\"application/alto-costmap+json\","
            + "\"accepts\":\"application/alto-costmapfilter+json\",\"uses\":[\"net\"],"
            + "\"capabilities\":{\"cost-type-names\":[\"num-routing\"]}},"
            + "\"ecs\":{\"uri\":\"/endpointcost\",\"media-type\":\"application/alto-endpointcost+json\","
            + "\"accepts\":\"application/alto-endpointcostparams+json\",\"capabilities\":{\"cost-type-names\":[\"num-routing\"]}},"
            + "\"props\":{\"uri\":\"/endpointprop\",\"media-type\":\"application/alto-endpointprop+json\","
            + "\"accepts\":\"application/alto-endpointpropparams+json\",\"capabilities\":{\"prop-types\":[\"net.pid\"]}}}}";

    private LoopbackServers() {
    }

    static NetworkMap addresses() {
        return new NetworkMap(new VersionTag("net", "t1"), Map.of(
                "local", List.of(Cidr.parse("10.0.0.0/8", false, "local")),
                "rest", List.of(Cidr.parse("0.0.0.0/0", false, "rest"))));
    }

    /** JSON viewers only, verifying nothing (the scripted answers are unsigned). */
    static LoadConfig config(URI target, long viewers, Duration window, Duration drain, Duration timeout,
                             Population.Mix mix, boolean documentsOnly) {
        return new LoadConfig(List.of(target), List.of(), viewers, ArrivalSchedule.flash(window), VerifyMode.NONE, 4, 1,
                1, null, drain, timeout, mix, false, 1, addresses(), documentsOnly);
    }

    /** Accepts connections and never answers; holds them until closed. */
    public static final class Silent implements AutoCloseable {
        private final ServerSocket socket;
        private final Queue<Socket> held = new ConcurrentLinkedQueue<>();
        private final Thread acceptor;

        public Silent() throws IOException {
            socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    try {
                        held.add(socket.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        public URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /**
     * An HTTP/1.1 server (keep-alive) whose answer to each request the script decides, given
     * {@code "METHOD /path"} and that request's number among those with the same method and path
     * (from 1). It counts the requests it received by method and path.
     */
    static final class Scripted implements AutoCloseable {
        /** The directory and the network map (unsigned), 404 for anything else. */
        static final Function<Request, Answer> DOCUMENTS = r -> switch (r.line()) {
            case "GET /directory" -> Answer.json(200, DIRECTORY);
            case "GET /networkmap/net" -> Answer.json(200, NETWORK_MAP);
            default -> new Answer(404, Map.of(), "");
        };

        record Request(String line, long nth) {
        }

        record Answer(int status, Map<String, String> headers, String body) {
            static Answer json(int status, String body) {
                return new Answer(status, Map.of("Content-Type", "application/json"), body);
            }
        }

        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(8);
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

        Scripted(Function<Request, Answer> script) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            server.setExecutor(threads);
            server.createContext("/", ex -> answer(ex, script));
            server.start();
        }

        private void answer(HttpExchange ex, Function<Request, Answer> script) throws IOException {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                String line = ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath();
                long nth = counts.computeIfAbsent(line, k -> new AtomicLong()).incrementAndGet();
                Answer a = script.apply(new Request(line, nth));
                a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
                byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        /** Requests received, by {@code "METHOD /path"}. */
        Map<String, Long> counts() {
            Map<String, Long> out = new java.util.TreeMap<>();
            counts.forEach((k, v) -> out.put(k, v.get()));
            return out;
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
