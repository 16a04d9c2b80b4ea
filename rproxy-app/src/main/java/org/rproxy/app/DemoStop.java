package org.rproxy.app;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * How {@code rproxy demo} ends, whichever way it does (Ctrl-C or SIGTERM, an error, the JVM
 * exiting): the shutdown hook it installs before it writes anything, so that a stop in its first
 * seconds, while the key is being written or the nodes started, removes a temporary work folder
 * as a later one does. It stops the nodes once they run, then, for a temporary folder, removes
 * what the demo wrote there, the private key above all ({@link DemoFiles#remove()}, which also
 * ends the writes of a start still under way). A {@code --dir} folder keeps its files: the
 * operator chose it. Only SIGKILL (and a crash of the JVM itself) skips it.
 */
final class DemoStop implements Runnable {

    private final DemoFiles files;
    private final boolean temporary;
    private final PrintStream err;
    private RunningDemo demo; // guarded by this
    private boolean stopping; // guarded by this

    /**
     * @param temporary whether the work folder is the demo's own (no {@code --dir}): its files go on stop
     * @param err       where a line says what was kept
     */
    DemoStop(DemoFiles files, boolean temporary, PrintStream err) {
        this.files = requireNonNull(files, "files");
        this.temporary = temporary;
        this.err = requireNonNull(err, "err");
    }

    /**
     * Hands over the demo once it runs; false when the stop came first, and then closes it here (the
     * hook found nothing to close, and the JVM is on its way out).
     */
    boolean started(RunningDemo running) {
        synchronized (this) {
            if (!stopping) {
                demo = running;
                return true;
            }
        }
        running.close();
        return false;
    }

    /** The shutdown hook: stops the nodes if they run, then removes a temporary folder's files. */
    @Override
    public void run() {
        RunningDemo running;
        synchronized (this) {
            stopping = true;
            running = demo;
        }
        if (running != null) {
            running.close();
        }
        if (temporary) {
            List<Path> left = files.remove();
            if (running != null && left.equals(List.of(running.work()))) {
                err.println("rproxy demo: removed the demo's key and maps; kept " + running.work() + " for the files"
                        + " written there since");
            } else if (!left.isEmpty()) {
                err.println("rproxy demo: could not remove " + left);
            }
            err.flush();
        }
    }
}
