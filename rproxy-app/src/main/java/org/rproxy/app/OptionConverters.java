package org.rproxy.app;

import java.util.function.Function;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;

import java.util.Stack;

import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
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

    /** A TCP port, 0 (any free one) to 65535. */
    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int port;
            try {
                port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new TypeConversionException("'" + value + "' is not a port (expected 0 to 65535)");
            }
            return port;
        }
    }

    /** A size such as {@code 64MB}, as {@link ByteSize#parse} reads it. */
    static final class SizeConverter implements ITypeConverter<ByteSize> {
        @Override
        public ByteSize convert(String value) {
            return parsing(value, ByteSize::parse);
        }
    }

    /**
     * The next argument as the option's value, whatever it looks like: a key id is base64url, and
     * one in 64 begins with {@code -}, which picocli would otherwise read as another option
     * ({@code -oa2Q...} as {@code -o a2Q...}).
     */
    static final class Verbatim implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            if (args.isEmpty()) {
                throw new ParameterException(commandSpec.commandLine(), "Missing required parameter for option '"
                        + argSpec.toString() + "'");
            }
            argSpec.setValue(args.pop());
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
