package org.rproxy.overlay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.DHTLogger;

/**
 * mldht's log lines into SLF4J (logger {@code lbms.plugins.mldht}) instead of its default of
 * standard output; its fatal and error lines as warnings, its info as debug (it is chatty). Two
 * kinds of its error lines are about what another node sent, not about this one, and go to debug
 * too ({@link #fromRemote}): mldht logs every KRPC error message it receives, answer or not
 * (and one answering a request of this node's a second time, as a "non-response": a put refused
 * with BEP 44's 302 because that node holds a newer version of the pointer, or with 202 because
 * its store is full, both normal in a live DHT), every answer from another address than the one
 * asked, and, in a node's first two minutes, every answer matching no query of its own (one that
 * came after its query timed out: hundreds a minute when 400 peers joined on two busy cores); so any host could otherwise write a warning
 * into the application's log with each datagram it sends to the node's port.
 * mldht keeps one logger per JVM; installing ours again is harmless. Stateless.
 */
final class MldhtLog implements DHTLogger {
    private static final Logger log = LoggerFactory.getLogger("lbms.plugins.mldht");

    private MldhtLog() {
    }

    static void install() {
        DHT.setLogger(new MldhtLog());
    }

    @Override
    public void log(String message, DHT.LogLevel level) {
        switch (level) {
            case Fatal -> log.warn("{}", message);
            case Error -> {
                if (fromRemote(message)) {
                    log.debug("{}", message);
                } else {
                    log.warn("{}", message);
                }
            }
            case Info -> log.debug("{}", message);
            default -> log.trace("{}", message);
        }
    }

    /**
     * Whether an mldht error line only reports what another node sent: a KRPC error message
     * received ({@code DHT.error}: "Error [203] from: ..."), an answer whose transaction matched
     * but whose address did not, a message it could not place ({@code RPCServer}: "not sure
     * how to handle message", an answer to no pending query while the node is young), or a KRPC
     * error answering a request of this node's ({@code RPCCall}: "received non-response [...] in
     * response to request").
     */
    static boolean fromRemote(String message) {
        return message != null && (message.startsWith("Error [") || message.startsWith("mtid matched, socket address did not")
                || message.startsWith("not sure how to handle message") || message.startsWith("received non-response ["));
    }

    @Override
    public void log(Throwable t, DHT.LogLevel level) {
        switch (level) {
            case Fatal, Error -> log.warn("mldht", t);
            default -> log.debug("mldht", t);
        }
    }
}
