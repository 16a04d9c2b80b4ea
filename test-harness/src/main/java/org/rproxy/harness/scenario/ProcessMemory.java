package org.rproxy.harness.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap a child JVM really uses: it is asked, through the JDK's {@code jcmd}, to collect
 * ({@code GC.run}, a full collection) and then to describe its heap ({@code GC.heap_info}); the
 * "used" figures of its generations or regions are summed. Resident memory alone follows the
 * JVM's heap sizing more than what is live. Runs on the caller's thread; -1 when {@code jcmd} is
 * missing or does not answer within a few seconds.
 */
final class ProcessMemory {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private ProcessMemory() {
    }

    static long heapAfterGcKib(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        try {
            if (run(jcmd, pid, "GC.run") == null) {
                return -1;
            }
            String info = run(jcmd, pid, "GC.heap_info");
            if (info == null) {
                return -1;
            }
            long used = 0;
            for (String line : info.split("\n")) {
                // Serial/Parallel name generations, G1 the whole heap; metaspace is not heap.
                if (line.contains("generation") || line.contains("garbage-first heap")) {
                    Matcher m = USED.matcher(line);
                    if (m.find()) {
                        used += Long.parseLong(m.group(1));
                    }
                }
            }
            return used > 0 ? used : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String run(Path jcmd, long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command)).redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
    }
}
