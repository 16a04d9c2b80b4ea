package org.rproxy.push;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler on a clock that only the test moves: tasks handed over with {@code execute} run at
 * once, in order, on one real thread (as on the feed's own thread); scheduled tasks are only
 * recorded, with their delay, and run on that thread when the test takes them with
 * {@link #runNextScheduled}. Tasks scheduled with a fixed delay (the feed's health checks) are
 * recorded too, and run once each time the test calls {@link #runPeriodic}; a fixed rate is not
 * needed by the push feed and refused.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    /** A recorded {@code schedule} call. */
    record Scheduled(long delayMillis, Runnable task) {
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "manual-feed"));
    private final BlockingQueue<Scheduled> scheduled = new LinkedBlockingQueue<>();
    private final List<Runnable> periodic = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Runnable afterEachTask = () -> { };

    /**
     * Runs {@code observer} on the thread after every task, the handed-over and the scheduled
     * alike: since the feed's state changes only in its tasks, the observer sees every state the
     * feed passes through, however briefly.
     */
    void afterEachTask(Runnable observer) {
        this.afterEachTask = observer;
    }

    private Runnable observed(Runnable task) {
        return () -> {
            try {
                task.run();
            } finally {
                afterEachTask.run();
            }
        };
    }

    /** Waits (in real time, at most {@code seconds}) for the next scheduled task, and runs it. */
    Scheduled runNextScheduled(long seconds) throws InterruptedException {
        Scheduled s = scheduled.poll(seconds, TimeUnit.SECONDS);
        if (s != null) {
            thread.execute(observed(s.task()));
        }
        return s;
    }

    /** Runs each task scheduled with a fixed delay once, on the thread, in the order scheduled; returns how many. */
    int runPeriodic() {
        periodic.forEach(this::execute);
        return periodic.size();
    }

    /** The scheduled tasks recorded and not yet taken. */
    int pendingScheduled() {
        return scheduled.size();
    }

    /** Waits (in real time, at most {@code seconds}) for the next scheduled task, and leaves it unrun. */
    Scheduled awaitNextScheduled(long seconds) throws InterruptedException {
        return scheduled.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (thread.isShutdown()) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        scheduled.add(new Scheduled(unit.toMillis(delay), command));
        return new Pending(unit.toMillis(delay));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new IllegalStateException("not used by the push feed");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new IllegalStateException("not used by the push feed");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (thread.isShutdown()) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        periodic.add(command);
        return new Pending(unit.toMillis(delay));
    }

    @Override
    public void execute(Runnable command) {
        thread.execute(observed(command));
    }

    @Override
    public void shutdown() {
        thread.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> left = new ArrayList<>(thread.shutdownNow());
        scheduled.forEach(s -> left.add(s.task()));
        scheduled.clear();
        periodic.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return thread.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return thread.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return thread.awaitTermination(timeout, unit);
    }

    /** The future of a recorded task: never done, since the manual clock does not move by itself. */
    private record Pending(long delayMillis) implements ScheduledFuture<Object> {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(delayMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return false;
        }

        @Override
        public Object get() {
            throw new IllegalStateException("a manually scheduled task has no result");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new IllegalStateException("a manually scheduled task has no result");
        }
    }
}
