package org.rproxy.core.model;

/**
 * Caps the text an {@link AltoError} carries. A client controls what an error quotes (a 1 MiB
 * body can be one offending value), and echoing it back whole multiplies the work of a bad
 * request and fills logs; the start of a value is what a reader needs to recognise it. A
 * capped text keeps its first characters and ends with a marker that says how many were left
 * out: {@code "PID-aaaa…[+1048448 chars]"}. Capping is idempotent (a capped text is short
 * enough to pass again unchanged), so an error passed on or rebuilt with another status keeps
 * its form. Stateless; any thread.
 */
public final class ErrorText {
    /** Characters kept of an offending value. */
    public static final int VALUE = 128;
    /** Characters kept of a field name (it may name a client's PID or key). */
    public static final int FIELD = 128;
    /** Characters kept of a message (which may quote the field and the value). */
    public static final int MESSAGE = 512;
    /** Room for the marker: {@code "…[+" + up to 10 digits + " chars]"}. */
    private static final int MARKER_ROOM = 24;

    private ErrorText() {
    }

    /**
     * {@code text} when it has at most {@code keep} + 24 characters, else its first {@code keep}
     * characters (never splitting a surrogate pair) and the marker; null stays null.
     */
    public static String cap(String text, int keep) {
        if (text == null || text.length() <= keep + MARKER_ROOM) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(keep - 1)) ? keep - 1 : keep;
        return text.substring(0, end) + "…[+" + (text.length() - end) + " chars]";
    }
}
