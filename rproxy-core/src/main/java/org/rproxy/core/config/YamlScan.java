package org.rproxy.core.config;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/**
 * What {@link ConfigLoader} refuses of a YAML text before reading it, because the reading would
 * take it for something else without a word:
 * <ul>
 *   <li>an alias ({@code *name}): the parser hands it on as the text of its name, so that
 *       {@code name: *edge} would be read as the name {@code edge} and a section given as an
 *       alias would be refused as no mapping;</li>
 *   <li>a number too large for any setting to read ({@code 1e999}): read as a floating-point
 *       number it becomes Infinity, which a size, a duration or a whole number would be refused
 *       as ({@code 'Infinity' is not a size}), and a text key filled in from a command line
 *       would take as the word {@code Infinity}.</li>
 * </ul>
 * Text that does not read as YAML is left to the reading proper, which says where. Stateless.
 */
final class YamlScan {

    private YamlScan() {
    }

    /**
     * @throws ConfigException {@code source: key: line N: ...} for the first alias or endless number
     */
    static void refuseMisreadValues(ObjectMapper mapper, String yaml, String source) {
        try (JsonParser p = mapper.createParser(yaml)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                    throw refused(p, source, "an alias (*" + p.getText()
                            + ") (expected: the value written out; anchors and aliases are not read)");
                }
                if (t == JsonToken.VALUE_NUMBER_FLOAT && !Double.isFinite(p.getDoubleValue())) {
                    throw refused(p, source, p.getText() + " is out of range (expected: a number no setting"
                            + " exceeds, written as it is meant: a size as 2GB, a duration as 1h, a whole number"
                            + " as digits; quoted where it is a text)");
                }
            }
        } catch (IOException e) {
            // reported by the reading proper, with the rest
        }
    }

    private static ConfigException refused(JsonParser p, String source, String reason) {
        return new ConfigException(source + ": " + ConfigMessages.prefix(ConfigMessages.path(p.getParsingContext()))
                + "line " + p.currentTokenLocation().getLineNr() + ": " + reason);
    }
}
