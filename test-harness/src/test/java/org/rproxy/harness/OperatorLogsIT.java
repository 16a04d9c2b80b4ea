package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.InheritedSignals;

/**
 * The logs an operator gets from the {@code rproxy} command, run as a process with the shipped
 * Logback configurations and the access log switched on ({@code --access-log}, or
 * {@code RPROXY_ACCESS_LOG=INFO} in the environment): with
 * {@code conf/logback.xml}, diagnostics on standard error with ISO 8601 times and a zone, and one
 * access line per request on standard output with every field; with {@code conf/logback-json.xml},
 * standard error is JSON only, one object per line, the access event's fields among them.
 */
class OperatorLogsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ISO = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(?:Z|[+-]\\d{2}:\\d{2})";
    private static final Pattern DIAGNOSTIC = Pattern.compile("^(" + ISO + ") INFO  \\[main\\] \\S+ - listening on .*$",
            Pattern.MULTILINE);
    private static final Pattern ACCESS = Pattern.compile("^(" + ISO + ") client=127\\.0\\.0\\.1 method=GET"
            + " path=/directory protocol=HTTP/1\\.1 status=200 bytes=(\\d+) duration_ms=\\d+\\.\\d{3} cache=origin"
            + " encoding=gzip dialect=json$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void thePlainLayoutHasZonedTimesAndAnAccessLineWithEveryField() throws Exception {
        try (Node origin = Node.start(dir, "plain", "conf/logback.xml", false)) {
            int bytes = origin.getDirectoryGzip();
            String out = origin.await(origin.stdout, s -> ACCESS.matcher(s).find());
            Matcher access = ACCESS.matcher(out);
            assertTrue(access.find(), out);
            OffsetDateTime.parse(access.group(1));
            assertEquals(bytes, Integer.parseInt(access.group(2)));
            String err = origin.await(origin.stderr, s -> DIAGNOSTIC.matcher(s).find());
            Matcher diagnostic = DIAGNOSTIC.matcher(err);
            assertTrue(diagnostic.find(), err);
            OffsetDateTime.parse(diagnostic.group(1));
        }
    }

    @Test
    void theJsonLayoutWritesOneParseableObjectPerLineWithTheAccessFields() throws Exception {
        try (Node origin = Node.start(dir, "json", "conf/logback-json.xml", true)) {
            int bytes = origin.getDirectoryGzip();
            // the readiness probe logged an identity line first: wait for the gzip request's own line
            String err = origin.await(origin.stderr, s -> s.contains("\"encoding\":\"gzip\""));
            JsonNode access = null;
            for (String line : err.split("\n")) {
                JsonNode event = JSON.readTree(line); // every line is JSON
                for (String field : new String[] {"@timestamp", "level", "logger_name", "thread_name", "message"}) {
                    assertTrue(event.hasNonNull(field), field + " missing in " + line);
                }
                OffsetDateTime.parse(event.get("@timestamp").asText());
                if (event.get("logger_name").asText().equals("rproxy.access")
                        && event.path("encoding").asText().equals("gzip")) {
                    access = event;
                }
            }
            assertTrue(access != null, err);
            assertEquals("127.0.0.1", access.path("client").asText());
            assertEquals("GET", access.path("method").asText());
            assertEquals("/directory", access.path("path").asText());
            assertEquals("HTTP/1.1", access.path("protocol").asText());
            assertEquals(200, access.path("status").asInt());
            assertEquals(bytes, access.path("bytes").asInt());
            assertTrue(access.path("duration_ms").isNumber(), access.toString());
            assertEquals("origin", access.path("cache").asText());
            assertEquals("gzip", access.path("encoding").asText());
            assertEquals("json", access.path("dialect").asText());
            assertEquals("INFO", access.path("level").asText());
        }
    }

    /**
     * SIGHUP (nginx's reload signal, and {@code kill -HUP}'s) stops no node: it logs that nothing
     * reloads, and the node keeps serving. The JVM's own handling would stop it with exit status 129.
     */
    @Test
    void sighupLogsThatNothingReloadsAndTheNodeKeepsServing() throws Exception {
        try (Node origin = Node.start(dir, "hup", "conf/logback.xml", false)) {
            for (int i = 0; i < 2; i++) {
                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(origin.process.pid())).inheritIO().start();
                assertEquals(0, kill.waitFor());
                int times = i + 1;
                String err = origin.await(origin.stderr, s -> !origin.process.isAlive() || s.split("SIGHUP: rproxy does not"
                        + " reload its configuration; restart to apply", -1).length > times);
                assertTrue(origin.process.isAlive(), () -> "the node stopped on SIGHUP (exit status "
                        + origin.process.exitValue() + "):\n" + err);
                assertTrue(err.contains(" WARN  "), err);
                assertEquals(200, origin.status("/directory"));
            }
        }
    }

    /** A stop says which signal asked for it and which listener stopped; the exit status stays 143. */
    @Test
    void sigtermIsLoggedAndTheStoppedListenerNamed() throws Exception {
        try (Node origin = Node.start(dir, "term", "conf/logback.xml", false)) {
            origin.process.destroy(); // SIGTERM
            assertTrue(origin.process.waitFor(30, TimeUnit.SECONDS), "stopped");
            assertEquals(143, origin.process.exitValue());
            String err = origin.await(origin.stderr, s -> s.contains("stopped listening on"));
            assertTrue(err.matches("(?s).* INFO  \\[[^]]*\\] \\S*NodeSignals - SIGTERM: stopping\n.*"), err);
            assertTrue(err.contains(" - stopped listening on /127.0.0.1:" + origin.base.replaceAll(".*:", "") + "\n"), err);
        }
    }

    /** An origin run as {@code rproxy origin} in its own JVM, its two output streams in files. */
    private static final class Node implements AutoCloseable {
        final Process process;
        final Path stdout;
        final Path stderr;
        final String base;

        private Node(Process process, Path stdout, Path stderr, String base) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
            this.base = base;
        }

        /** @param byEnvironment the access log switched on by RPROXY_ACCESS_LOG=INFO, else by --access-log */
        static Node start(Path dir, String name, String logback, boolean byEnvironment) throws Exception {
            Path maps = TestPaths.copySampleMaps(dir.resolve(name + "-maps"));
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
            Path priv = PrivateKeyFiles.write(dir.resolve(name + ".key"), key.toPkcs8Pem());
            int port = freePort();
            // SIGHUP at its default, which a build run under nohup would have the node inherit as ignored
            List<String> cmd = new ArrayList<>(InheritedSignals.defaulted("HUP", 1));
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + TestPaths.repo().resolve(logback),
                    "-cp", System.getProperty("java.class.path"), "org.rproxy.app.Main",
                    "origin", "--listen", "127.0.0.1:" + port, "--maps", maps.toString(), "--key", priv.toString()));
            if (!byEnvironment) {
                cmd.add("--access-log");
            }
            Path out = dir.resolve(name + ".out");
            Path err = dir.resolve(name + ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("RPROXY_ACCESS_LOG");
            if (byEnvironment) {
                pb.environment().put("RPROXY_ACCESS_LOG", "INFO");
            }
            Node node = new Node(pb.start(), out, err, "http://127.0.0.1:" + port);
            try {
                PushTree.await(WAIT, "the origin process serves", () -> node.status("/directory") == 200);
            } catch (Throwable t) {
                node.close();
                throw t;
            }
            return node;
        }

        /** GETs the directory asking for gzip; returns the body bytes written. */
        int getDirectoryGzip() throws Exception {
            HttpResponse<byte[]> r = Proxies.get(base + "/directory", java.util.Map.of("Accept-Encoding", "gzip"));
            assertEquals(200, r.statusCode());
            assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(null));
            return r.body().length;
        }

        private int status(String path) {
            try {
                return Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
                return -1;
            }
        }

        /** The file's text once {@code wanted} holds for it, failing after {@link #WAIT}. */
        String await(Path file, Predicate<String> wanted) throws Exception {
            String[] text = {""};
            try {
                PushTree.await(WAIT, "the log line in " + file.getFileName(), () -> {
                    text[0] = completeLines(file);
                    return wanted.test(text[0]);
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the file has:\n" + text[0], e);
            }
            return text[0];
        }

        /** The file's lines written to the end (a line being written is left out). */
        private static String completeLines(Path file) {
            try {
                String s = Files.readString(file, StandardCharsets.UTF_8);
                return s.substring(0, s.lastIndexOf('\n') + 1);
            } catch (java.io.IOException e) {
                return "";
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
