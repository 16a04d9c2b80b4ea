package org.rproxy.app;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signals a running node ({@code rproxy origin}, {@code rproxy proxy}) handles itself.
 * SIGHUP, which would stop the JVM (exit status 129) and which an operator of nginx sends to
 * reload, is answered with a warning that nothing reloads, and the node keeps running. Done through
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

    /** Installs the node's handlers; false when the JVM would not take them (its own handling stays). */
    static boolean install() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Method handle = signal.getMethod("handle", signal, handlerType);
            Object hangup = signal.getConstructor(String.class).newInstance("HUP");
            handle.invoke(null, hangup, handler(handlerType, () -> LOG.warn(HANGUP)));
            return true;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.debug("SIGHUP keeps the JVM's handling (it stops the node): {}", e.toString());
            return false;
        }
    }

    /** A {@code sun.misc.SignalHandler} that runs {@code action} on its signal. */
    private static Object handler(Class<?> handlerType, Runnable action) {
        InvocationHandler calls = (self, method, args) -> switch (method.getName()) {
            case "handle" -> {
                action.run();
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
