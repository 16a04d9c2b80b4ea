package org.rproxy.core.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a config file's text (YAML, a keys file) as UTF-8, refusing what it cannot read in
 * words for operators: {@code FILE: no such file}, {@code FILE: cannot read: permission denied},
 * and for a file that is not UTF-8 where ({@code FILE: not UTF-8 text: byte 0xE9 on line 3
 * (expected: a UTF-8 file ...)}) rather than the decoder's {@code input length = 1}. Stateless.
 */
public final class ConfigText {

    private ConfigText() {
    }

    /**
     * The text of {@code file}.
     *
     * @throws ConfigException naming the file and why it cannot be read
     */
    public static String read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file", e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + IoProblems.reason(e), e);
        }
        return decode(file, bytes);
    }

    /**
     * {@code bytes}, read from {@code file}, as UTF-8 text.
     *
     * @throws ConfigException {@code FILE: not UTF-8 text: byte 0xE9 on line 3 (expected: ...)}
     */
    public static String decode(Path file, byte[] bytes) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = utf8.decode(in, out, true);
        if (r.isError()) {
            int at = in.position(); // the decoder stops before the first byte it cannot read
            int line = 1;
            for (int i = 0; i < at; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new ConfigException(file + ": not UTF-8 text: byte 0x"
                    + String.format(Locale.ROOT, "%02X", bytes[at] & 0xff) + " on line " + line
                    + " (expected: a UTF-8 file; a Latin-1 file can be converted with iconv -f latin1 -t utf-8)");
        }
        utf8.flush(out); // a sequence cut short at the end is malformed input above (end of input given)
        return out.flip().toString();
    }
}
