package org.rproxy.core.bundle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;

/**
 * Reads a bundle file strictly: a bundle is written by {@link SignedBundle#toBytes} and then only
 * carried, so where HTTP/1.1 leaves a reader leeway that could make two readers see different
 * messages, the file is refused with the line (and field) at fault instead: CRLF line ends only,
 * no obs-fold, each field once, no transfer coding, a {@code content-length} that matches the
 * bytes that follow exactly (a truncated or padded file fails), field values of visible ASCII, and
 * a header section of at most {@link #MAX_HEAD_BYTES}. One instance per file, on the caller's
 * thread (reading a file is not event-loop work).
 */
final class BundleParser {
    /** Far more than the fields of a signed response need. */
    static final int MAX_HEAD_BYTES = 64 * 1024;
    static final int MAX_FIELDS = 64;

    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] ([0-9]{3}) [\\x20-\\x7e]*");

    private final byte[] in;
    private int pos;
    private int line;

    private BundleParser(byte[] in) {
        this.in = in;
    }

    static SignedBundle parse(byte[] in) throws MalformedBundleException {
        return new BundleParser(in).parse();
    }

    private SignedBundle parse() throws MalformedBundleException {
        if (in.length == 0) {
            line = 1;
            throw error("empty file (expected: a status line such as " + SignedBundle.STATUS_LINE + ")");
        }
        String status = nextLine();
        Matcher m = STATUS.matcher(status);
        if (!m.matches()) {
            throw error("not an HTTP/1.1 status line: '" + shorten(status) + "'");
        }
        if (!m.group(1).equals("200")) {
            throw error("status " + m.group(1) + " (expected: 200; a bundle holds a signed document)");
        }
        List<HeaderField> fields = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long contentLength = -1;
        for (String l = nextLine(); !l.isEmpty(); l = nextLine()) {
            HeaderField f = field(l);
            if (!seen.add(f.name())) {
                throw error(f, "repeated (expected: once, values joined with \", \")");
            }
            if (fields.size() == MAX_FIELDS) {
                throw error("more than " + MAX_FIELDS + " fields");
            }
            switch (f.name()) {
                case "content-length" -> contentLength = contentLength(f);
                case "transfer-encoding" -> throw error(f, "not allowed (a bundle's body is framed by content-length)");
                default -> fields.add(f);
            }
        }
        if (contentLength < 0) {
            throw error("no content-length field before the empty line");
        }
        long remaining = in.length - pos;
        if (remaining < contentLength) {
            throw new MalformedBundleException("body: " + remaining + " of " + contentLength
                    + " bytes (the file is truncated)");
        }
        if (remaining > contentLength) {
            throw new MalformedBundleException("body: " + (remaining - contentLength) + " bytes after the "
                    + contentLength + " that content-length announces");
        }
        return new SignedBundle(fields, Bytes.wrap(Arrays.copyOfRange(in, pos, in.length)));
    }

    private HeaderField field(String l) throws MalformedBundleException {
        if (FieldSyntax.isWhitespace(l.charAt(0))) {
            throw error("a line folded onto the previous field (obs-fold is not allowed)");
        }
        int colon = l.indexOf(':');
        if (colon < 0) {
            throw error("no ':' in field line '" + shorten(l) + "'");
        }
        String name = l.substring(0, colon);
        if (!FieldSyntax.isToken(name)) {
            throw error("field name '" + shorten(name) + "' is not a token");
        }
        String value = trimOws(l.substring(colon + 1));
        HeaderField f = new HeaderField(name.toLowerCase(Locale.ROOT), value);
        String problem = FieldSyntax.valueProblem(value);
        if (problem != null) {
            throw error(f, problem);
        }
        return f;
    }

    /** Only SP and HTAB are optional whitespace (RFC 9110 §5.6.3); any other control character stays and is refused. */
    private static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && FieldSyntax.isWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && FieldSyntax.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private long contentLength(HeaderField f) throws MalformedBundleException {
        String v = f.value();
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw error(f, "'" + shorten(v) + "' (expected: a decimal number of bytes)");
        }
        return Long.parseLong(v);
    }

    /** The next line without its CRLF, decoded as ISO-8859-1 so that a stray byte is seen, not mangled. */
    private String nextLine() throws MalformedBundleException {
        line++;
        int limit = Math.min(in.length, MAX_HEAD_BYTES);
        for (int i = pos; i < limit; i++) {
            if (in[i] == '\n') {
                throw error("bare LF (expected: CRLF line ends)");
            }
            if (in[i] == '\r') {
                if (i + 1 >= in.length || in[i + 1] != '\n') {
                    throw error("CR not followed by LF");
                }
                String s = new String(in, pos, i - pos, StandardCharsets.ISO_8859_1);
                pos = i + 2;
                return s;
            }
        }
        if (limit < in.length) {
            throw error("the header section is longer than " + MAX_HEAD_BYTES + " bytes");
        }
        throw error("the file ends inside the header section (truncated?)");
    }

    private MalformedBundleException error(String what) {
        return new MalformedBundleException("line " + line + ": " + what);
    }

    private MalformedBundleException error(HeaderField f, String what) {
        return new MalformedBundleException("line " + line + " (" + f.name() + "): " + what);
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
