package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.Test;

import lbms.plugins.mldht.kad.DHT;

import org.rproxy.core.testing.CapturedLogs;

class MldhtLogTest {

    /**
     * mldht logs at its error level every KRPC error message a node receives (asked for or not),
     * every answer from an address other than the one asked, and a young node's every answer to
     * no pending query: lines another host writes by sending datagrams. Only mldht's own trouble (and anything it calls fatal) is a warning.
     */
    @Test
    void whatAnotherNodeSentIsDebugMldhtsOwnErrorsAreWarnings() {
        MldhtLog.install();
        try (CapturedLogs logs = CapturedLogs.of("lbms.plugins.mldht")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("lbms.plugins.mldht")).setLevel(Level.DEBUG);
            DHT.logError("Error [203] from: /100.64.1.1:6881 Message: \"Neither nodes nor values in get_peers response\"");
            DHT.logError("mtid matched, socket address did not, ignoring message, request: /100.64.1.2:6881 -> response: x");
            DHT.logError("not sure how to handle message  Method:UNKNOWN Type:RSP_MSG MessageID:0xFE3AA2F1 version:0x6D6C000B");
            DHT.logError("Could not start DHT");
            DHT.logFatal("Error [201] from: /100.64.1.3:6881 Message: \"x\"");
            List<Level> levels = logs.events().stream().map(ILoggingEvent::getLevel).toList();
            assertEquals(List.of(Level.DEBUG, Level.DEBUG, Level.DEBUG, Level.WARN, Level.WARN), levels);
        } finally {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("lbms.plugins.mldht")).setLevel(null);
        }
    }
}
