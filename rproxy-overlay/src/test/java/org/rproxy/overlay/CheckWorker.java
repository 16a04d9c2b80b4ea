package org.rproxy.overlay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link CheckWorkers}, inside a network namespace with 100.64.0.1-4 on its
 * {@code lo}: runs the {@link NamespaceChecks} it is sent on its standard input, one at a time,
 * each line {@code CHECK<tab>DIR}, and answers each with its output, then {@code CHECK-OK CHECK}
 * or the failure, then {@code CHECK-DONE CHECK}. One JVM runs many checks because most of a
 * lone check's CPU went to starting the JVM and loading and compiling bt's and mldht's code
 * (about 4 s of CPU on the 2-core build machine, against under 1 s for the same check in a JVM
 * that ran one before). A check starts only on what the last left clean: after a failure, or
 * when a port the checks bind is still held, the worker says why and exits, and the next check
 * gets a new JVM and namespace. Ends at the end of its input (its parent gone).
 */
final class CheckWorker {
    private CheckWorker() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("WORKER-READY");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            String check = line.substring(0, tab);
            long cpu = cpuMillis();
            boolean passed = run(check, Path.of(line.substring(tab + 1)));
            System.out.println("WORKER-CPU " + (cpuMillis() - cpu) + " ms for " + check + ", " + cpuMillis() + " ms since its start");
            List<String> held = passed ? held() : List.of();
            if (!held.isEmpty()) {
                System.out.println("WORKER-RETIRING: " + check + " left held " + held);
            } else if (!passed) {
                System.out.println("WORKER-RETIRING: " + check + " failed; the next check gets a new JVM");
            }
            System.out.println("CHECK-DONE " + check);
            System.out.flush();
            if (!passed || !held.isEmpty()) {
                break;
            }
        }
        // bt's and mldht's threads of a check that ended abnormally may not be daemons
        System.exit(0);
    }

    private static boolean run(String check, Path dir) {
        NamespaceChecks.startClock();
        NamespaceChecks.say("started " + check);
        try {
            NamespaceChecks.class.getDeclaredMethod(check, Path.class).invoke(null, dir);
            System.out.println("CHECK-OK " + check);
            return true;
        } catch (InvocationTargetException e) {
            System.out.println("check " + check + " FAILED: " + e.getCause());
            e.getCause().printStackTrace(System.out);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("check " + check + " FAILED: " + e);
            e.printStackTrace(System.out);
        }
        return false;
    }

    /** The CPU time this JVM has used, all its threads together (where a check's time goes). */
    private static long cpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()
                / 1_000_000;
    }

    /** The DHT (UDP 6881) and bt (TCP 7000 + host) ports of hosts 1-4 that cannot be bound again now. */
    private static List<String> held() {
        List<String> out = new ArrayList<>();
        for (int host = 1; host <= 4; host++) {
            InetSocketAddress dht = new InetSocketAddress(NamespaceChecks.ip(host), 6881);
            try (DatagramSocket s = new DatagramSocket(dht)) {
                s.getLocalPort();
            } catch (IOException e) {
                out.add("udp " + dht);
            }
            InetSocketAddress bt = new InetSocketAddress(NamespaceChecks.ip(host), 7000 + host);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(bt);
            } catch (IOException e) {
                out.add("tcp " + bt);
            }
        }
        return out;
    }
}
