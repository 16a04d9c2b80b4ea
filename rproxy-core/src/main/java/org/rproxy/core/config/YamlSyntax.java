package org.rproxy.core.config;

import java.util.Locale;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The operator's words for text that does not read as YAML: where (the line, and the column
 * where it helps) and what is wrong ({@code line 2, column 1: a tab (expected: spaces; YAML
 * indents with spaces only)}), instead of the parser's report, which spans several lines, quotes
 * the text with a caret and names the parser's tokens and classes. Used by
 * {@link ConfigMessages}. Stateless.
 */
final class YamlSyntax {

    private YamlSyntax() {
    }

    /** Where and what is wrong in {@code e}, one line: {@code "line 3, column 2: REASON"}. */
    static String describe(JsonProcessingException e) {
        MarkedYAMLException marked = marked(e);
        if (marked != null) {
            return describe(marked);
        }
        String message = String.valueOf(e.getOriginalMessage());
        String reason;
        if (e instanceof StreamConstraintsException) {
            reason = message.contains("nesting depth") ? "nested deeper than the parser reads (expected: a settings"
                    + " file a few levels deep)" : "a value or name longer than the parser reads (expected: settings of"
                    + " an ordinary size)";
        } else if (message.startsWith("special characters are not allowed")) {
            reason = "a control character (expected: text)";
        } else if (message.startsWith("Expected a field name")) {
            reason = "a key that is a list or a mapping (expected: a name, such as max-bytes)";
        } else if (message.toLowerCase(Locale.ROOT).contains("base64")) {
            reason = "a !!binary value that is not base64 (expected: a plain value, without the !!binary tag)";
        } else {
            reason = plain(firstSentence(message));
        }
        return where(e.getLocation()) + reason;
    }

    private static String describe(MarkedYAMLException m) {
        String problem = String.valueOf(m.getProblem());
        String context = m.getContext() == null ? "" : m.getContext();
        Mark at = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
        int openedOn = m.getContextMark() == null ? -1 : m.getContextMark().getLine() + 1;
        String reason;
        if (problem.contains("\\t(TAB)") || problem.contains("\t")) {
            reason = "a tab (expected: spaces; YAML indents with spaces only)";
        } else if (context.startsWith("while scanning a quoted scalar")) {
            reason = problem.contains("end of stream") ? "a quote opened on line " + openedOn + " is never closed"
                    + " (expected: the value's closing quote)" : "in the quoted value begun on line " + openedOn + ": "
                    + plain(problem);
        } else if (problem.startsWith("mapping values are not allowed")) {
            reason = "a ': ' where a value goes (expected: a value that holds ': ' in quotes, or a key on a line of"
                    + " its own)";
        } else if (context.startsWith("while parsing a flow mapping") || context.startsWith("while parsing a flow sequence")) {
            String open = context.contains("mapping") ? "{" : "[";
            reason = "the '" + open + "' opened on line " + openedOn + " is not closed where expected (" + plain(problem)
                    + ")";
        } else if (context.startsWith("while parsing a block") && problem.startsWith("expected <block end>")) {
            reason = "not lined up with the lines above it (expected: the keys of a section, or the entries of a"
                    + " list, each indented by the same number of spaces)";
        } else if (problem.startsWith("special characters are not allowed")) {
            reason = "a control character (expected: text)";
        } else if (context.startsWith("while scanning a simple key")) {
            reason = "a line that is not 'key: value' (expected: a ':' and a space after the key)";
        } else if (context.startsWith("while scanning an alias") || context.startsWith("while scanning an anchor")) {
            reason = "a '*' or '&' that starts no valid alias or anchor (expected: the value in quotes)";
        } else {
            reason = plain((context.isEmpty() ? "" : context + ": ") + problem);
        }
        return (at == null ? "" : "line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ": ") + reason;
    }

    /** The parser's own report in {@code e}'s causes, or null. */
    private static MarkedYAMLException marked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m) {
                return m;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String where(JsonLocation l) {
        return l == null || l.getLineNr() < 1 ? "" : "line " + l.getLineNr() + ", column " + l.getColumnNr() + ": ";
    }

    private static String firstSentence(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** The parser's names of its tokens in words. */
    private static String plain(String text) {
        return text.replace("<block end>", "the end of the section").replace("<stream end>", "the end of the file")
                .replace("'<block mapping start>'", "a key").replace("<block mapping start>", "a key")
                .replace("'<block sequence start>'", "a list").replace("<block sequence start>", "a list")
                .replace("<block entry>", "a list entry ('- ')").replace("'<scalar>'", "a value")
                .replace("<scalar>", "a value").replace("<document start>", "'---'").replace("\n", " ");
    }
}
