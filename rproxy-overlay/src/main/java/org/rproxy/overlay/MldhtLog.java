package org.rproxy.overlay;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.DHTLogger;

/**
 * mldht's log lines into SLF4J (logger {@code lbms.plugins.mldht}) instead of its default of
 * standard output; its fatal and error lines as warnings, its info as debug (it is chatty).
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
            case Fatal, Error -> log.warn("{}", message);
            case Info -> log.debug("{}", message);
            default -> log.trace("{}", message);
        }
    }

    @Override
    public void log(Throwable t, DHT.LogLevel level) {
        switch (level) {
            case Fatal, Error -> log.warn("mldht", t);
            default -> log.debug("mldht", t);
        }
    }
}
