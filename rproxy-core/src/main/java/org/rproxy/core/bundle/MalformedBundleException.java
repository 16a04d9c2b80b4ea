package org.rproxy.core.bundle;

/**
 * A bundle file that is not a well-formed signed bundle: the message says where (line and,
 * where there is one, the field) and what is wrong, so whoever handed the file over can be told.
 * Checked: a bad file is an expected outcome of reading one, not a bug.
 */
public final class MalformedBundleException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedBundleException(String message) {
        super(message);
    }
}
