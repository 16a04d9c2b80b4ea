package org.rproxy.app;

/**
 * A start that failed for the state of the machine at that moment, not for its settings: a port
 * another process holds, an address not (yet) on this host, a host name that does not resolve
 * (yet), as at boot before the network is up. The message names the setting as a refusal would
 * ({@code p.yaml: admin.address: cannot listen on 127.0.0.1:9090: address already in use}), but
 * the exit status is 1, not 2 ("the file or the options were refused"), so that the units
 * ({@code RestartPreventExitStatus=2}) start the node again. See {@link Main#exitCode}.
 */
final class NotNow extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotNow(String message, Throwable cause) {
        super(message, cause);
    }
}
