package org.rproxy.client;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.UnaryOperator;

import org.rproxy.core.answer.AnswerEngine;

/**
 * A {@link ScriptedProxy}, a {@link LocalOrigin} that lists it as its one proxy, and a client
 * bootstrapped from that origin with a 30 s timeout: the set-up of the tests that script how the
 * proxy answers what the client asks it (held back, stalled, gated). The client prefers the
 * proxy, so it asks the proxy first and the origin only past it. Closed the client first, the
 * proxy last.
 */
final class ProxiedClient implements AutoCloseable {

    final ScriptedProxy proxy;
    final LocalOrigin origin;
    final AltoClient client;

    private ProxiedClient(ScriptedProxy proxy, LocalOrigin origin, AltoClient client) {
        this.proxy = proxy;
        this.origin = origin;
        this.client = client;
    }

    /** Started with the client's options as they are, but for the 30 s timeout. */
    static ProxiedClient start(Path dir) throws IOException {
        return start(dir, UnaryOperator.identity());
    }

    /** Started with {@code options} applied to the client's (after the 30 s timeout, so they may change it). */
    static ProxiedClient start(Path dir, UnaryOperator<ClientOptions> options) throws IOException {
        ScriptedProxy proxy = new ScriptedProxy();
        LocalOrigin origin = null;
        try {
            origin = LocalOrigin.start(dir, List.of(proxy.base()));
            AltoClient client = AltoClient.bootstrap(options.apply(ClientOptions.of(origin.uri(),
                    KeyPin.ofKeyId(origin.keyId())).withTimeout(Duration.ofSeconds(30))));
            return new ProxiedClient(proxy, origin, client);
        } catch (IOException | RuntimeException e) {
            if (origin != null) {
                origin.close();
            }
            proxy.close();
            throw e;
        }
    }

    /**
     * Has the proxy serve the directory and every map as the client fetches them now (from the
     * origin, since the proxy serves nothing yet); returns the maps' targets.
     */
    List<String> proxyServesTheMaps() {
        List<String> maps = client.mapTargets();
        for (String t : maps) {
            proxy.serve(t, client.fetch(t).representation());
        }
        proxy.serve(AnswerEngine.DIRECTORY, client.fetch(AnswerEngine.DIRECTORY).representation());
        return maps;
    }

    /** The pool {@link #client}'s map fetches run on, to see them end. */
    ThreadPoolExecutor mapThreads() throws ReflectiveOperationException {
        return mapThreads(client);
    }

    /** The pool {@code c}'s map fetches run on ({@code alto-client-maps-M}). */
    static ThreadPoolExecutor mapThreads(AltoClient c) throws ReflectiveOperationException {
        Field fetches = AltoClient.class.getDeclaredField("mapFetches");
        fetches.setAccessible(true);
        Field pool = MapFetches.class.getDeclaredField("pool");
        pool.setAccessible(true);
        return (ThreadPoolExecutor) pool.get(fetches.get(c));
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            try {
                origin.close();
            } finally {
                proxy.close();
            }
        }
    }
}
