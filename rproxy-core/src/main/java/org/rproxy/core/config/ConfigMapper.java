package org.rproxy.core.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * How a config file's YAML binds to the config records ({@link ConfigLoader} reads with it): keys
 * in kebab-case, an unknown key, a {@code null} for a primitive and a key given twice refused,
 * enum values in any case; a number is not rounded into a whole number, nor taken for a flag; and
 * sizes ({@link ByteSize}), durations ({@link Durations}), addresses ({@link Address}), paths and
 * URIs read from a scalar's text, whose parser's reason becomes the value's.
 */
final class ConfigMapper {

    private ConfigMapper() {
    }

    /** A mapper configured as above (thread-safe once built). */
    static ObjectMapper create() {
        SimpleModule texts = new SimpleModule("rproxy-config-texts")
                .addDeserializer(Duration.class, text(Durations::parse))
                .addDeserializer(ByteSize.class, text(ByteSize::parse))
                .addDeserializer(Address.class, text(Address::parse))
                .addDeserializer(Path.class, text(Path::of))
                .addDeserializer(URI.class, text(ConfigMapper::uri));
        return YAMLMapper.builder(new YAMLFactory())
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                // A number where a whole number or a flag is meant is a mistake, not something to round:
                // max-connections: 1.9 is not 1, connections: 1e3 not 1000, spool: 1 not true.
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .withCoercionConfig(LogicalType.Integer, c -> c
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .addModule(texts)
                .build();
    }

    /** {@code text} as a URI; the parser's reason, in the form of the other values' ("'x' is not a ..."). */
    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URI (" + e.getReason().toLowerCase(Locale.ROOT)
                    + " at index " + e.getIndex() + ")", e);
        }
    }

    /** A deserializer from a scalar's text; the parser's IllegalArgumentException becomes the reason. */
    private static <T> JsonDeserializer<T> text(Function<String, T> parse) {
        return new JsonDeserializer<T>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (!p.currentToken().isScalarValue()) {
                    throw MismatchedInputException.from(p, (Class<?>) null, "expected a single value, not "
                            + (p.currentToken().isStructStart() ? "a mapping or list" : p.currentToken()));
                }
                String s = p.getValueAsString();
                try {
                    return parse.apply(s);
                } catch (IllegalArgumentException e) {
                    throw JsonMappingException.from(p, e.getMessage(), e);
                }
            }
        };
    }
}
