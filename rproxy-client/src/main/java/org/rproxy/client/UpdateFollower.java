package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.StreamFollower;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a client's maps current: subscribes to an update stream (RFC 8895) at the best source
 * that has one (the policy's order, the origin last), naming the versions it holds, so that it
 * is sent only what changed; rebuilds every update (a merge patch applied to the held bytes in
 * RFC 8785 form, see {@link StreamFollower}) and verifies it against its signature event exactly
 * as a fetched document, rollback floor included; and tells its {@link Listener} of each new set
 * of answers. The directory is followed too (and polled): a verified new version teaches the
 * keys it lists, the origin's next key. A source whose update fails verification is left (and
 * cools down) and the next is subscribed to. While no stream can be had, the maps are polled
 * every poll interval, and the streams tried again. A stream silent for the read timeout (no heartbeat) is taken for dead.
 *
 * <p>Runs on a thread of its own ({@code rproxy-client-updates}), which calls the listener, plus
 * a timer thread watching for silence; {@link #close()} ends both.
 */
public final class UpdateFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateFollower.class);

    /** Told what the follower sees; called on its thread, one call at a time. */
    public interface Listener {
        /** New answers, computed from maps that changed and verified. */
        void changed(LocalAnswers answers);

        /** An update or source refused, or a stream or poll that failed; the held maps stay. */
        default void refused(ClientException why) {
        }

        /** Now following the update stream at {@code stream}, or polling when null. */
        default void following(URI stream) {
        }
    }

    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);

    private final HeldState state;
    private final Sources sources;
    private final Fetcher fetcher;
    private final Checker checker;
    private final ClientOptions options;
    private final Listener listener;
    private final LongSupplier ticker;
    private final Thread thread;
    private final ScheduledExecutorService watchdog;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile InputStream current;
    private volatile long lastRead;

    UpdateFollower(HeldState state, Sources sources, Fetcher fetcher, Checker checker, ClientOptions options,
                   LongSupplier ticker, Listener listener) {
        this.state = state;
        this.sources = sources;
        this.fetcher = fetcher;
        this.checker = checker;
        this.options = options;
        this.ticker = requireNonNull(ticker, "ticker");
        this.listener = new GuardedListener(requireNonNull(listener, "listener"));
        this.thread = new Thread(this::run, "rproxy-client-updates");
        this.thread.setDaemon(true);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rproxy-client-updates-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        long every = Math.max(50, options.readTimeout().toMillis() / 4);
        watchdog.scheduleWithFixedDelay(this::closeIfSilent, every, every, TimeUnit.MILLISECONDS);
        thread.start();
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (!isClosed()) {
            long start = ticker.getAsLong();
            boolean streamed = false;
            try {
                for (URI source : sources.order()) {
                    if (isClosed()) {
                        return;
                    }
                    if (follow(source)) {
                        streamed = true;
                        break;
                    }
                }
            } catch (RuntimeException e) {
                // a defect, not a source's answer (those are ClientExceptions, told to the
                // listener): the thread must outlive it, or updates would stop without a word
                LOG.error("update follower: {}; polling meanwhile", e.toString(), e);
            }
            Duration wait;
            if (streamed) {
                // A stream that ended at once is not resubscribed to at once: back off, doubling.
                boolean lasted = ticker.getAsLong() - start > options.readTimeout().toNanos();
                Duration doubled = backoff.multipliedBy(2);
                backoff = lasted ? MIN_BACKOFF : doubled.compareTo(options.pollInterval()) <= 0 ? doubled : options.pollInterval();
                wait = backoff;
            } else {
                listener.following(null);
                try {
                    poll();
                } catch (RuntimeException e) {
                    LOG.error("update follower: polling: {}", e.toString(), e);
                }
                wait = options.pollInterval();
            }
            if (await(wait)) {
                return;
            }
        }
    }

    /** Follows the stream at {@code source} until it ends; false when none could be opened. */
    private boolean follow(URI source) {
        URI uri = Sources.at(source, updatesPath());
        Map<String, String> targets = state.streamTargets();
        long start = ticker.getAsLong();
        InputStream in;
        try {
            in = fetcher.subscribe(uri, StreamParams.of(targets, state::get));
        } catch (ClientException e) {
            sources.health().failed(source, e);
            listener.refused(e);
            return false;
        }
        sources.health().succeeded(source, Duration.ofNanos(ticker.getAsLong() - start));
        listener.following(uri);
        Reader reader = new Reader(source, uri, targets);
        current = in;
        lastRead = ticker.getAsLong();
        try (in) {
            reader.read(in);
        } catch (IOException e) {
            if (!isClosed()) {
                listener.refused(Fetcher.transportFailure(uri, e));
            }
        } catch (IllegalStateException e) {
            listener.refused(new ClientException.InvalidResponse(uri, "update stream: " + e.getMessage()));
        } finally {
            current = null;
        }
        return true;
    }

    /** The update stream's path: the directory's {@code text/event-stream} resource, else {@code /updates}. */
    private String updatesPath() {
        return state.updatesPath().orElse("/updates");
    }

    /** Fetches the directory (for the origin's keys) and the maps again; tells the listener when the maps changed. */
    private void poll() {
        try {
            sources.fetch(AnswerEngine.DIRECTORY); // verified, it teaches the keys it lists
        } catch (ClientException e) {
            listener.refused(e);
        }
        boolean changed = false;
        for (String target : state.mapTargets()) {
            try {
                changed |= state.put(target, sources.fetch(target).representation());
            } catch (ClientException e) {
                listener.refused(e);
            }
        }
        LocalAnswers a = changed ? state.rebuild() : null;
        if (a != null) {
            listener.changed(a);
        }
    }

    private void closeIfSilent() {
        InputStream in = current;
        if (in != null && ticker.getAsLong() - lastRead > options.readTimeout().toNanos()) {
            try {
                in.close();
            } catch (IOException e) {
                // closing is all that was wanted
            }
        }
    }

    private boolean await(Duration d) {
        try {
            return closed.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private boolean isClosed() {
        return closed.getCount() == 0 || Thread.currentThread().isInterrupted();
    }

    /** True while the follower runs. */
    public boolean running() {
        return thread.isAlive();
    }

    /** Stops following and waits (up to the client's timeout) for the thread to end. */
    @Override
    public void close() {
        closed.countDown();
        closeCurrent();
        watchdog.shutdownNow();
        thread.interrupt();
        try {
            thread.join(options.timeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeCurrent() {
        InputStream in = current;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // closing is all that was wanted
            }
        }
    }

    /** Reads one stream: feeds the events to a follower seeded with the held bodies, checks each update. */
    private final class Reader implements StreamFollower.Listener {
        private final URI source;
        private final URI uri;
        private final Map<String, String> targets;
        private final StreamFollower follower;
        private boolean abandoned;

        Reader(URI source, URI uri, Map<String, String> targets) {
            this.source = source;
            this.uri = uri;
            this.targets = targets;
            this.follower = new StreamFollower(options.maxEventBytes(), this);
            targets.forEach((id, target) -> {
                Representation r = state.get(target);
                if (r != null) {
                    follower.hold(id, r.identity().body());
                }
            });
        }

        void read(InputStream in) throws IOException {
            byte[] buf = new byte[16 * 1024];
            for (int n; !abandoned && !isClosed() && (n = in.read(buf)) >= 0; ) {
                lastRead = ticker.getAsLong();
                follower.feed(buf, 0, n);
            }
        }

        @Override
        public boolean onUpdate(String substream, Bytes body, StreamFollower.FieldLookup fields,
                                boolean patched) {
            String target = targets.get(substream);
            if (target == null) {
                return false;
            }
            Representation held = state.get(target);
            try {
                Representation r = checker.check(uri, target, fields::get, body, held == null ? 0 : held.maxAgeSeconds());
                if (state.put(target, r) && !target.equals(AnswerEngine.DIRECTORY)) {
                    LocalAnswers a = state.rebuild();
                    if (a != null) {
                        listener.changed(a);
                    }
                }
                return true;
            } catch (ClientException.InvalidResponse e) {
                // A source that sends what does not verify is left for another.
                sources.health().failed(source, e);
                abandoned = true;
                listener.refused(e);
                return false;
            } catch (ClientException e) {
                listener.refused(e);
                return false;
            }
        }

        @Override
        public void onRejected(String substream, String reason) {
            listener.refused(new ClientException.InvalidResponse(uri, "update " + substream + ": " + reason));
        }
    }
}
