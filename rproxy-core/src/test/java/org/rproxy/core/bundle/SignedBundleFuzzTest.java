package org.rproxy.core.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the bundle file reader, which takes files from peers and folders no one vouches for.
 * The contract: a file is read or refused with a {@link MalformedBundleException} whose message
 * names the line or the body at fault, never with another exception; a bundle read is written
 * and read again as the same bundle, its written bytes are a fixed point, and a file exactly as
 * long as the read limit is read alike while one byte more is refused. Seeds:
 * {@code SignedBundleFuzzTestInputs/<method>/}.
 */
class SignedBundleFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void bundleIsReadOrRefusedAndRoundTrips(byte[] input) throws IOException, MalformedBundleException {
        SignedBundle bundle;
        try {
            bundle = SignedBundle.parse(input);
        } catch (MalformedBundleException e) {
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().startsWith("line ") || e.getMessage().startsWith("body: "),
                    () -> "a refusal naming neither a line nor the body: " + e.getMessage());
            return;
        }
        byte[] written = bundle.toBytes();
        SignedBundle again = SignedBundle.parse(written);
        assertEquals(bundle, again, "a bundle written reads back as another");
        assertArrayEquals(written, again.toBytes(), "a bundle's bytes are not a fixed point");
        assertEquals(bundle, SignedBundle.read(new ByteArrayInputStream(input), input.length));
        if (input.length > 1) {
            try {
                SignedBundle.read(new ByteArrayInputStream(input), input.length - 1);
                throw new AssertionError("a file past the read limit was read");
            } catch (MalformedBundleException expected) {
                assertTrue(expected.getMessage().startsWith("larger than "), expected::getMessage);
            }
        }
    }
}
