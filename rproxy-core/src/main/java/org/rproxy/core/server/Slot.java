package org.rproxy.core.server;

/** One request of a connection waiting for its turn to be answered ({@link ExchangeHandler}); on its event loop. */
final class Slot {
    final Exchange exchange;
    /** Handed to the service (or refused): on HTTP/1.1, one at a time, once the answers before it are handed on. */
    boolean started;
    Reply reply;

    Slot(Exchange exchange) {
        this.exchange = exchange;
    }

    /** Its request is answered or dropped: its body's bytes go back to the budget ({@link Exchange.Call#release}). */
    void release() {
        release(exchange);
    }

    static void release(Exchange exchange) {
        if (exchange instanceof Exchange.Call call) {
            call.release();
        }
    }
}
