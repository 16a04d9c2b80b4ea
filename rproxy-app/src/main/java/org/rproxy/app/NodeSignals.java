package org.rproxy.app;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signals a running node ({@code rproxy origin}, {@code rproxy proxy}) handles itself.
 * SIGHUP, which would stop the JVM (exit status 129) and which an operator of nginx sends to
 * reload, is answered with a warning that nothing reloads, and the node keeps running; SIGTERM and
 * SIGINT are logged ({@code SIGTERM: stopping}) before the JVM stops the node as it would. Done through
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}) by reflection: on a JVM without it, or
 * run with {@code -Xrs}, the JVM's own handling stays, and the node says so at debug.
 */
final class NodeSignals {

    private static final Logger LOG = LoggerFactory.getLogger(NodeSignals.class);

    /** What a SIGHUP logs. */
    static final String HANGUP = "SIGHUP: rproxy does not reload its configuration; restart to apply"
            + " (the origin picks up its maps and keys files by itself)";

    private NodeSignals() {
    }

    /**
     * Installs the node's handlers; false when the JVM would not take them (run with {@code -Xrs},
     * say: its own handling stays, and a SIGHUP stops the node).
     */
    static boolean install() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Method handle = signal.getMethod("handle", signal, handlerType);
            Object hangup = signal.getConstructor(String.class).newInstance("HUP");
            handle.invoke(null, hangup, handler(handlerType, s -> LOG.warn(HANGUP)));
            for (String name : new String[] {"TERM", "INT"}) {
                sayWhoStops(signal, handlerType, handle, name);
            }
            return true;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.debug("the JVM keeps its own signal handling (a SIGHUP stops the node): {}", e.toString());
            return false;
        }
    }

    /**
     * Puts a handler before the JVM's own for SIGTERM or SIGINT that logs which signal stops the
     * node, then hands the signal on (the JVM runs its shutdown hooks and exits with 128 + the
     * signal's number, as before). A signal the JVM leaves to the system (ignored, as a shell
     * ignores SIGINT for a background job) keeps that handling.
     */
    private static void sayWhoStops(Class<?> signal, Class<?> handlerType, Method handle, String name)
            throws ReflectiveOperationException {
        Object sig = signal.getConstructor(String.class).newInstance(name);
        Method pass = handlerType.getMethod("handle", signal);
        Object[] previous = new Object[1];
        previous[0] = handle.invoke(null, sig, handler(handlerType, s -> {
            LOG.info("SIG{}: stopping", name);
            try {
                pass.invoke(previous[0], s);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("SIG" + name + " could not be handed on", e);
            }
        }));
        Object system = handlerType.getField("SIG_DFL").get(null);
        if (previous[0] == null || previous[0] == system || previous[0] == handlerType.getField("SIG_IGN").get(null)) {
            // not the JVM's: put the system's handling back
            handle.invoke(null, sig, previous[0] == null ? system : previous[0]);
        }
    }

    /** A {@code sun.misc.SignalHandler} that runs {@code action} with the signal. */
    private static Object handler(Class<?> handlerType, Consumer<Object> action) {
        InvocationHandler calls = (self, method, args) -> switch (method.getName()) {
            case "handle" -> {
                action.accept(args[0]);
                yield null;
            }
            case "equals" -> self == args[0];
            case "hashCode" -> System.identityHashCode(self);
            case "toString" -> "rproxy signal handler";
            default -> throw new UnsupportedOperationException(method.getName());
        };
        return Proxy.newProxyInstance(NodeSignals.class.getClassLoader(), new Class<?>[] {handlerType}, calls);
    }
}
