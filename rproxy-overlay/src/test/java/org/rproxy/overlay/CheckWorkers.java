package org.rproxy.overlay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child JVMs that run {@link NamespaceChecks} ({@link CheckWorker}), each in a network
 * namespace of its own, {@value #WORKERS} at once, each running the checks it is handed one after
 * another: a check waits for a free worker, runs alone in it within {@value #RUN_SECONDS} s, and
 * gives back its output and verdict. The checks that mostly wait out the product's timers (see
 * {@link #SLOW_FIRST}) are handed out first when several wait, so that the last to end is a short
 * one, not a minute-long one started when the rest were done. Workers are started as needed and
 * kept for the next check (one that failed, timed out or left a port held is not); they end with
 * this JVM.
 */
final class CheckWorkers {
    /**
     * Workers at once: four on a two-core machine. A check in a worker that ran one before uses
     * well under a second of CPU and mostly waits on DHT round trips and timers, so a fourth
     * worker is time saved (OverlayNamespaceTest 110 and 116 s against 122-145 s with three, 165
     * s with two, with other builds keeping the machine at a load of 25); four at once failed a
     * check when each check started a JVM of its own and spent some 4 s of CPU doing so.
     */
    static final int WORKERS = 4;
    /** How long one check may run in its worker before the worker is killed and the check failed. */
    static final int RUN_SECONDS = 240;
    /**
     * The checks that take longest even in a worker that ran others (their product timers: stores
     * no node took, a signature's expiry, a budget waited out, a flood paced over 20 s), longest
     * first: a waiting check named here goes before any other waiting. Scheduling only: a check
     * left out of it runs all the same, after these.
     */
    static final List<String> SLOW_FIRST = List.of("clockSteppedBack", "pointerPutBeforeAnyPeerIsFoundOnceOneJoins",
            "madeUpIdsFromOneHostDoNotPushHonestNodesOut", "seederFoundWithThePointerOncePeersJoin",
            "bundlesFetchedAtOnceTakeNoBlockOfAnother", "malformedMessagesAreDroppedAndTheNodeGoesOn", "expiredDocument",
            "peersWithNoPieceAreGivenUpEarly", "droppedBundleIsGivenUpEarly", "socketNotOpenedFailsTheStart", "notJoinedIsSaid",
            "unseededPointerIsGivenUpEarly");

    /**
     * A check's run: whether it ended (within {@link #RUN_SECONDS}) and passed, all it printed,
     * and the lines it said ({@code check [seconds] ...}) with its seconds, worker and CPU time.
     */
    record Outcome(boolean ended, boolean passed, String output, String summary) {
    }

    private static final Object LOCK = new Object();
    private static final PriorityQueue<Waiting> WAITING = new PriorityQueue<>();
    /** Workers ready for a check (their JVM up), none running one. */
    private static final Deque<Worker> IDLE = new ArrayDeque<>();
    /** Workers started and not yet ended or let go: at most {@link #WORKERS}. */
    private static final List<Worker> LIVE = new ArrayList<>();
    private static final AtomicLong ARRIVALS = new AtomicLong();
    private static int started;
    /** The output of the last worker that ended before it was ready, for the check waiting first. */
    private static String failedStart;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(CheckWorkers::stopAll, "check-workers-stop"));
    }

    private CheckWorkers() {
    }

    /** Runs {@code NamespaceChecks.<check>(dir)} in a worker once one is ready, this check's turn come. */
    static Outcome run(String check, Path dir) throws Exception {
        Worker worker = take(check);
        try {
            return worker.run(check, dir);
        } finally {
            give(worker);
        }
    }

    private record Waiting(int rank, long arrival) implements Comparable<Waiting> {
        @Override
        public int compareTo(Waiting o) {
            return rank != o.rank ? Integer.compare(rank, o.rank) : Long.compare(arrival, o.arrival);
        }
    }

    /**
     * The worker for {@code check}: once this check is the first waiting and a worker is ready.
     * A worker is handed out only once its JVM is up, so the checks that arrive meanwhile (every
     * method of the class, at once) are ordered too, not taken as they came.
     */
    private static Worker take(String check) throws InterruptedException, IOException {
        int slow = SLOW_FIRST.indexOf(check);
        Waiting me = new Waiting(slow < 0 ? SLOW_FIRST.size() : slow, ARRIVALS.incrementAndGet());
        synchronized (LOCK) {
            WAITING.add(me);
            try {
                while (true) {
                    if (WAITING.peek() == me && failedStart != null) {
                        String why = failedStart;
                        failedStart = null;
                        throw new IllegalStateException("a check worker ended before it was ready:\n" + why);
                    }
                    if (WAITING.peek() == me && !IDLE.isEmpty()) {
                        return IDLE.pop();
                    }
                    if (LIVE.size() < Math.min(WORKERS, WAITING.size() + LIVE.size() - IDLE.size())) {
                        LIVE.add(new Worker(++started));
                    }
                    LOCK.wait();
                }
            } finally {
                WAITING.remove(me);
                LOCK.notifyAll();
            }
        }
    }

    private static void give(Worker worker) {
        synchronized (LOCK) {
            if (worker.reusable()) {
                IDLE.push(worker);
            } else {
                worker.process.destroyForcibly();
                LIVE.remove(worker);
            }
            LOCK.notifyAll();
        }
    }

    /** Ends every worker: its input closed, it exits; killed if it has not within 10 s. */
    private static void stopAll() {
        List<Worker> all;
        synchronized (LOCK) {
            all = List.copyOf(LIVE);
        }
        for (Worker w : all) {
            try {
                w.commands.close();
                if (!w.process.waitFor(10, TimeUnit.SECONDS)) {
                    w.process.destroyForcibly();
                }
            } catch (IOException e) {
                w.process.destroyForcibly();
            } catch (InterruptedException e) {
                w.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void ready(Worker worker) {
        synchronized (LOCK) {
            IDLE.push(worker);
            LOCK.notifyAll();
        }
    }

    private static void endedBeforeReady(Worker worker, String output) {
        synchronized (LOCK) {
            LIVE.remove(worker);
            failedStart = output;
            LOCK.notifyAll();
        }
    }

    /** One child JVM in a namespace of its own, and the lines it printed, not yet read. */
    private static final class Worker {
        private static final String END = "\u0000end";
        private final int number;
        private final Process process;
        private final Writer commands;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private boolean retired;

        Worker(int number) throws IOException {
            this.number = number;
            StringBuilder addrs = new StringBuilder();
            for (int host = 1; host <= 4; host++) {
                addrs.append(' ').append(NamespaceChecks.ip(host));
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String script = "set -e; ip link set lo up; for a in" + addrs + "; do ip addr add $a/32 dev lo; done; exec "
                    + java + " -Xmx512m" + logback() + " -cp \"$CP\" " + CheckWorker.class.getName();
            ProcessBuilder pb = new ProcessBuilder("unshare", "-n", "sh", "-c", script).redirectErrorStream(true);
            pb.environment().put("CP", System.getProperty("java.class.path"));
            this.process = pb.start();
            this.commands = process.outputWriter(StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "check-worker-" + number + "-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Until the worker is ready, keeps what it says for a failed start; then queues its lines for {@link #run}. */
        private void read() {
            StringBuilder before = new StringBuilder();
            boolean ready = false;
            try (var in = process.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (ready) {
                        lines.add(line);
                    } else if (line.equals("WORKER-READY")) {
                        ready = true;
                        CheckWorkers.ready(this);
                    } else if (before.length() < 20_000) {
                        before.append(line).append('\n');
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // the worker ended
            }
            lines.add(END);
            if (!ready) {
                CheckWorkers.endedBeforeReady(this, before.toString());
            }
        }

        boolean reusable() {
            return !retired && process.isAlive();
        }

        Outcome run(String check, Path dir) throws Exception {
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(RUN_SECONDS);
            StringBuilder out = new StringBuilder();
            commands.write(check + "\t" + dir + "\n");
            commands.flush();
            String why;
            try {
                why = await("CHECK-DONE " + check, deadline, out);
            } catch (InterruptedException e) {
                // the test's own timeout: the check still runs, so this worker takes no other
                retired = true;
                process.destroyForcibly();
                throw e;
            }
            boolean ended = why.isEmpty();
            boolean passed = ended && out.indexOf("CHECK-OK " + check + "\n") >= 0;
            retired = !passed || out.indexOf("WORKER-RETIRING") >= 0;
            if (!ended) {
                out.append(why).append('\n');
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String summary = check + " (" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + " s, worker "
                    + number + "):\n" + out.toString().lines().filter(l -> l.startsWith("check ") || l.startsWith("WORKER-")).reduce("", (a, b) -> a + b + "\n");
            return new Outcome(ended, passed, out.toString(), summary);
        }

        /** Reads lines into {@code out} until {@code marker}: empty then, else why not. */
        private String await(String marker, long deadline, StringBuilder out) throws InterruptedException {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    return "no " + marker + " within " + RUN_SECONDS + " s";
                }
                if (line.equals(END)) {
                    return "the worker ended (exit " + process.waitFor() + ") before " + marker;
                }
                if (line.equals(marker)) {
                    return "";
                }
                if (out.length() < (1 << 20)) {
                    out.append(line).append('\n');
                }
            }
        }
    }

    /** A {@code -Dlogback.configurationFile} given to this JVM (for a closer look), passed on to the workers. */
    private static String logback() {
        String file = System.getProperty("logback.configurationFile");
        return file != null && file.matches("[A-Za-z0-9._/-]+") ? " -Dlogback.configurationFile=" + file : "";
    }
}
