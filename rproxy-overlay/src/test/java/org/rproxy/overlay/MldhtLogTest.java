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
     * every answer from an address other than the one asked, a young node's every answer to no
     * pending query, and every KRPC error a node answers this one's request with (a put refused
     * with BEP 44's 302 because that node holds a newer version, or 202 because its store is
     * full: normal in a live DHT): lines another host writes by sending datagrams. Only mldht's own trouble (and anything it calls fatal) is a warning.
     */
    @Test
    void whatAnotherNodeSentIsDebugMldhtsOwnErrorsAreWarnings() {
        MldhtLog.install();
        try (CapturedLogs logs = CapturedLogs.of("lbms.plugins.mldht")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("lbms.plugins.mldht")).setLevel(Level.DEBUG);
            DHT.logError("Error [203] from: /100.64.1.1:6881 Message: \"Neither nodes nor values in get_peers response\"");
            DHT.logError("mtid matched, socket address did not, ignoring message, request: /100.64.1.2:6881 -> response: x");
            DHT.logError("not sure how to handle message  Method:UNKNOWN Type:RSP_MSG MessageID:0xFE3AA2F1 version:0x6D6C000B");
            // a node answering a put with BEP 44's 302: it holds a newer version of the pointer (normal)
            DHT.logError("received non-response [ Method:PUT Type:ERR_MSG MessageID:0x632EE22D7B8B version:0x6D6C000B"
                    + "   code:302 errormsg: 'sequence number less than current' id:null] in response to request:"
                    + "  Method:PUT Type:REQ_MSG MessageID:0x632EE22D7B8B");
            DHT.logError("Could not start DHT");
            DHT.logFatal("Error [201] from: /100.64.1.3:6881 Message: \"x\"");
            List<Level> levels = logs.events().stream().map(ILoggingEvent::getLevel).toList();
            assertEquals(List.of(Level.DEBUG, Level.DEBUG, Level.DEBUG, Level.DEBUG, Level.WARN, Level.WARN), levels);
        } finally {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("lbms.plugins.mldht")).setLevel(null);
        }
    }
}
