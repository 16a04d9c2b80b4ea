package org.rproxy.core.config;

/**
 * A configuration that cannot be used. The message names the file, the key (a dotted path such
 * as {@code upstream.url}) and the reason, ready to print as is:
 * {@code conf/pull.yaml: upstream.url: missing}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
