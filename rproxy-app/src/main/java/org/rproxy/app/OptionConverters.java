package org.rproxy.app;

import java.util.function.Function;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters for the option values the commands share, so a bad {@code HOST:PORT} or
 * size is refused by picocli with the parser's own reason and the option's name.
 */
final class OptionConverters {

    private OptionConverters() {
    }

    /** {@code HOST:PORT}, as {@link Address#parse} reads it. */
    static final class AddressConverter implements ITypeConverter<Address> {
        @Override
        public Address convert(String value) {
            return parsing(value, Address::parse);
        }
    }

    /** A size such as {@code 64MB}, as {@link ByteSize#parse} reads it. */
    static final class SizeConverter implements ITypeConverter<ByteSize> {
        @Override
        public ByteSize convert(String value) {
            return parsing(value, ByteSize::parse);
        }
    }

    /** The parser's refusal as picocli's, which names the option. */
    private static <T> T parsing(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
