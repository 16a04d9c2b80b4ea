package org.rproxy.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;

/**
 * An RProxy stand-in on an ephemeral loopback port that the test scripts: it serves the signed
 * representations it is handed (404 for any other path), maybe slowly, answers 503 while down, holds back its
 * answer to the paths it is told to stall (until it is closed) or to gate (until each of them was asked),
 * and counts what it is asked.
 */
final class ScriptedProxy implements AutoCloseable {
    private final Map<String, Representation> served = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final Set<String> stalling = ConcurrentHashMap.newKeySet();
    private final List<CompletableFuture<Reply>> heldBack = new CopyOnWriteArrayList<>();
    /** The path of every request held back, as it arrives. */
    final BlockingQueue<String> stalled = new LinkedBlockingQueue<>();
    private final AltoHttpServer server;
    /** What happened to gated paths, in order: {@code asked /path} and {@code answered /path}. */
    final List<String> gateEvents = new CopyOnWriteArrayList<>();
    private volatile Set<String> gated = Set.of();
    private final Set<String> gateAsked = ConcurrentHashMap.newKeySet();
    private volatile CompletableFuture<Void> gate = new CompletableFuture<>();
    private volatile boolean down;
    private volatile long delayMillis;

    ScriptedProxy() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), req -> {
            asked.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
            if (stalling.contains(req.path())) {
                CompletableFuture<Reply> later = new CompletableFuture<>();
                heldBack.add(later);
                stalled.add(req.path());
                return later;
            }
            if (down) {
                return CompletableFuture.completedFuture(error(req.path(), 503, "busy"));
            }
            Representation r = served.get(req.path());
            Reply reply = r != null ? new Reply.Ok(r) : error(req.path(), 404, "not held");
            if (gated.contains(req.path())) {
                gateEvents.add("asked " + req.path());
                CompletableFuture<Reply> later = gate.thenApply(open -> {
                    gateEvents.add("answered " + req.path());
                    return reply;
                });
                if (gateAsked.add(req.path()) && gateAsked.containsAll(gated)) {
                    gate.complete(null);
                }
                return later;
            }
            return delayMillis == 0 ? CompletableFuture.completedFuture(reply) : CompletableFuture.supplyAsync(() -> reply,
                    CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS));
        });
    }

    private static Reply error(String path, int status, String why) {
        return new Reply.Error(AltoError.invalidValue("uri", path, why).withStatus(status), Dialect.JSON);
    }

    /** Serves {@code r} at {@code path} from now on. */
    ScriptedProxy serve(String path, Representation r) {
        served.put(path, r);
        return this;
    }

    /** Serves {@code path} no more: answers it 404 from now on. */
    ScriptedProxy withdraw(String path) {
        served.remove(path);
        return this;
    }

    /** Answers every request 503 while {@code down}. */
    void down(boolean down) {
        this.down = down;
    }

    /** Answers what it serves (and its 404s) {@code d} late from now on: a slower source. */
    ScriptedProxy slow(Duration d) {
        delayMillis = d.toMillis();
        return this;
    }

    /** Holds back the answer to every request for {@code path} from now on. */
    void stall(String path) {
        stalling.add(path);
    }

    /**
     * Holds back its answers to {@code paths} from now on until each of them was asked (then
     * answers every one held and later ones at once), or until {@code most} passed, so that a
     * client asking for them one after another is slow but still answered; {@link #gateEvents}
     * tells in which order they were asked and answered.
     */
    void gate(Set<String> paths, Duration most) {
        gateAsked.clear();
        gate = new CompletableFuture<Void>().completeOnTimeout(null, most.toMillis(), TimeUnit.MILLISECONDS);
        gated = Set.copyOf(paths);
    }

    /** How many requests for {@code path} it was sent. */
    int asked(String path) {
        AtomicInteger n = asked.get(path);
        return n == null ? 0 : n.get();
    }

    /** Its base URL, as the origin lists it. */
    String base() {
        return "http://127.0.0.1:" + server.localAddress().getPort() + "/";
    }

    URI uri() {
        return URI.create(base());
    }

    @Override
    public void close() {
        heldBack.forEach(f -> f.complete(error("/", 503, "closing")));
        server.close();
    }
}
