package org.rproxy.core.server;

/** One request of a connection waiting for its turn to be answered ({@link ExchangeHandler}); on its event loop. */
final class Slot {
    final Exchange exchange;
    /** Handed to the service (or refused): only the first {@link ExchangeHandler#MAX_IN_FLIGHT} owed are. */
    boolean started;
    Reply reply;

    Slot(Exchange exchange) {
        this.exchange = exchange;
    }
}
