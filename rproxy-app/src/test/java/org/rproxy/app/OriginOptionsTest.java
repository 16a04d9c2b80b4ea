package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.origin.OriginConfig;

/** {@code rproxy origin}'s options that go together are refused by their names, before anything is read. */
class OriginOptionsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--validity 10s --max-age 1h  | --max-age: 1h (expected: at most --validity, 10s)",
        "--validity 5s                | --validity: 5s (expected: at least 10s)",
        "--validity 2h --max-age 121m | --max-age: 121m (expected: at most --validity, 2h)",
        "--public-uri not_a_uri       | --public-uri: 'not_a_uri' (expected: an absolute http(s) URI, e.g. https://alto.example.net)",
        "--public-uri ftp://alto:21   | --public-uri: 'ftp://alto:21' (expected: an absolute http(s) URI, e.g. https://alto.example.net)",
        "--max-request-body 512       | --max-request-body: 512 (expected: 1KB to 1GB)",
        "--max-concurrent-streams 0   | --max-concurrent-streams: 0 (expected: 1 to 100000 per connection; each open stream holds a few KB of heap)",
        "--max-pending-answer-bytes 1KB | --max-pending-answer-bytes: 1KB (expected: at least 64KB, one part of a large answer)",
        "--max-answers-held 0         | --max-answers-held: 0 (expected: 4 to 10000000; each may hold an answer on the heap until its client takes it, and the last quarter is kept for a connection's first)",
        "--max-answers-held 3         | --max-answers-held: 3 (expected: 4 to 10000000; each may hold an answer on the heap until its client takes it, and the last quarter is kept for a connection's first)",
        "--max-connections 100 --max-connections-per-address 101 | --max-connections-per-address: 101 (expected: at most --max-connections, 100; one past --max-connections is refused whatever its address, so a larger limit could never apply)",
        "--max-connections-per-address 10001 | --max-connections-per-address: 10001 (expected: at most --max-connections, 10000; one past --max-connections is refused whatever its address, so a larger limit could never apply)",
        "--max-subscribers 0          | --max-subscribers: 0 (expected: >= 1)",
        "--max-pending-bytes 1KB      | --max-pending-bytes: 1KB (expected: >= 64KB)",
        "--max-connections 0          | --max-connections: 0 (expected: 1 to 10000000)",
        "--max-connections-per-address 0 | --max-connections-per-address: 0 (expected: 1 to 10000000; leave it out for no such limit)",
        "--keys-poll 50ms             | --keys-poll: 50ms (expected: 100ms to 1h)",
        "--keys-poll 2h               | --keys-poll: 2h (expected: 100ms to 1h)",
        "--drain-timeout 50ms         | --drain-timeout: 50ms (expected: 100ms to 10m)",
        "--drain-timeout 11m          | --drain-timeout: 11m (expected: 100ms to 10m)",
    })
    void aBadCombinationIsAUsageErrorNamingTheOptions(String options, String message) {
        String[] args = ("origin --maps " + dir.resolve("maps") + " --key " + dir.resolve("origin.key") + " "
                + options).split(" ");
        CommandRun run = CommandRun.of(args);
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy origin: " + message, run.err().strip());
    }

    @Test
    void theAnswersHeldOptionSetsTheFrontEndsBound() {
        FrontEndConfig d = FrontEndConfig.defaults("127.0.0.1", 0);
        OptionProblems problems = new OptionProblems();
        assertEquals(0, origin().listenLimits.applyTo(d, problems).maxAnswersHeld(), "the heap's share by default");
        assertEquals(500, origin("--max-answers-held", "500").listenLimits.applyTo(d, problems).maxAnswersHeld());
        problems.throwIfAny(); // none refused
    }

    @Test
    void theConnectionsPerAddressOptionSetsTheFrontEndsLimit() {
        FrontEndConfig d = FrontEndConfig.defaults("127.0.0.1", 0);
        OptionProblems problems = new OptionProblems();
        assertEquals(0, origin().listenLimits.applyTo(d, problems).maxConnectionsPerAddress(), "no such limit by default");
        assertEquals(64, origin("--max-connections-per-address", "64").listenLimits.applyTo(d, problems)
                .maxConnectionsPerAddress());
        problems.throwIfAny(); // none refused
    }

    @Test
    void theDrainTimeoutOptionSetsHowLongTheFrontEndsStopWaits() {
        FrontEndConfig d = FrontEndConfig.defaults("127.0.0.1", 0);
        OptionProblems problems = new OptionProblems();
        assertEquals(Duration.ofSeconds(5), origin().listenLimits.applyTo(d, problems).drainTimeout(), "5 s by default");
        assertEquals(Duration.ofMillis(300), origin("--drain-timeout", "300ms").listenLimits.applyTo(d, problems).drainTimeout());
        problems.throwIfAny(); // none refused
    }

    @Test
    void theStreamsPerConnectionOptionSetsWhatTheFrontEndAdvertises() {
        FrontEndConfig d = FrontEndConfig.defaults("127.0.0.1", 0);
        OptionProblems problems = new OptionProblems();
        assertEquals(FrontEndConfig.DEFAULT_MAX_STREAMS, origin().listenLimits.applyTo(d, problems).maxStreams());
        FrontEndConfig c = origin("--max-connections", "300", "--max-concurrent-streams", "64").listenLimits
                .applyTo(d, problems);
        assertEquals(64, c.maxStreams());
        assertEquals(300, c.maxConnections(), "the other limits stay as given");
        problems.throwIfAny(); // none refused
    }

    /** Each limit refused is a problem of its own, and the limits given beside it still apply. */
    @Test
    void everyLimitRefusedIsKeptAndTheOthersStillApply() {
        OptionProblems problems = new OptionProblems();
        FrontEndConfig c = origin("--max-connections", "0", "--max-request-body", "1B", "--max-concurrent-streams", "64")
                .listenLimits.applyTo(FrontEndConfig.defaults("127.0.0.1", 0), problems);
        assertEquals(64, c.maxStreams());
        assertEquals(FrontEndConfig.defaults("127.0.0.1", 0).maxConnections(), c.maxConnections(), "a refused one stays");
        origin("--max-subscribers", "0", "--max-pending-bytes", "1KB").streamLimits.check(problems);
        ConfigException all = assertThrows(ConfigException.class, problems::throwIfAny);
        assertEquals(List.of("--max-connections: 0 (expected: 1 to 10000000)", "--max-request-body: 1 (expected: 1KB to 1GB)",
                "--max-subscribers: 0 (expected: >= 1)", "--max-pending-bytes: 1KB (expected: >= 64KB)"),
                all.getMessage().lines().toList());
    }

    /** {@code rproxy origin}'s options as given, parsed, none refused by its converter. */
    private OriginCommand origin(String... options) {
        return NodeOptions.origin(dir, dir.resolve("origin.key"), List.of(options), refused -> {
            throw new AssertionError(refused);
        });
    }

    @Test
    void aPublicUriThatIsNotAUriSaysWhereAndNamesTheOption() {
        CommandRun run = CommandRun.of("origin", "--maps", dir.resolve("maps").toString(), "--key",
                dir.resolve("origin.key").toString(), "--public-uri", "not a uri");
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy origin: --public-uri: 'not a uri' is not a URI (illegal character in path at index 3;"
                + " expected: an absolute http(s) URI, e.g. https://alto.example.net)", run.err().strip());
    }

    /** --keys-poll reaches the origin's settings; by default the keys file is read every second. */
    @Test
    void theKeysPollOptionSetsHowOftenTheKeysFileIsRead() throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        assertEquals(OriginConfig.DEFAULT_KEYS_POLL, origin().settings().config().keysPoll());
        assertEquals(Duration.ofMillis(250), origin("--keys-poll", "250ms").settings().config().keysPoll());
    }

    @Test
    void theOriginsOwnChecksStateDurationsAsOperatorsWriteThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OriginConfig(
                FrontEndConfig.defaults("127.0.0.1", 0), dir, dir.resolve("origin.key"), Duration.ofSeconds(10),
                Duration.ofHours(1), null, null, null));
        assertEquals("max-age: 1h (expected: 0 to validity, 10s)", e.getMessage());
    }

    @Test
    void theOriginRefusesAKeysPollOutOfRangeNamingIt() {
        OriginConfig c = new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), dir, dir.resolve("origin.key"),
                Duration.ofSeconds(10), Duration.ofSeconds(5), null, null, null);
        assertEquals(OriginConfig.DEFAULT_KEYS_POLL, c.keysPoll());
        assertEquals("keys-poll: 99ms (expected: 100ms to 1h)", assertThrows(IllegalArgumentException.class,
                () -> c.withKeysPoll(Duration.ofMillis(99))).getMessage());
        assertEquals("keys-poll: 61m (expected: 100ms to 1h)", assertThrows(IllegalArgumentException.class,
                () -> c.withKeysPoll(Duration.ofMinutes(61))).getMessage());
    }
}
