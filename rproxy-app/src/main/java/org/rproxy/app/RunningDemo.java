package org.rproxy.app;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.AdminConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * What {@code rproxy demo} runs: a signing origin on a copy of the sample maps with a fresh key,
 * two pull-mode proxies and one push-mode proxy in front of it, all on 127.0.0.1, with the three
 * proxies listed in the origin's directory and capability so that a client that knows only the
 * origin and its key id can find them. Closing stops every node (proxies first) and frees every
 * port; the files it wrote stay until {@link #files} removes them. A start that fails removes what it
 * wrote. Started and closed from one thread; the nodes run on their own.
 *
 * @param work     the work folder (keys/, maps/)
 * @param pub      the origin's public key file
 * @param origin   the origin
 * @param stream   the origin's update stream (closed after the origin: the origin does not own it)
 * @param pulls    the two pull-mode proxies
 * @param push     the push-mode proxy
 * @param moved    a line for each node whose preferred port was taken, saying where it went instead
 * @param files    what the start wrote in {@code work} (the keys and maps, with their folders when it made them)
 */
record RunningDemo(Path work, Path pub, Origin origin, UpdatePublisher stream, List<StreamingPull> pulls,
                   PushPullProxy push, List<String> moved, DemoFiles files)
        implements AutoCloseable {

    /** Preferred ports after the origin's: the two pull proxies, then the push proxy. */
    static final List<Integer> PROXY_PORTS = List.of(8282, 8283, 8383);

    RunningDemo {
        requireNonNull(work, "work");
        requireNonNull(pub, "pub");
        requireNonNull(origin, "origin");
        requireNonNull(stream, "stream");
        pulls = List.copyOf(pulls);
        requireNonNull(push, "push");
        moved = List.copyOf(moved);
        requireNonNull(files, "files");
    }

    /**
     * Starts everything in {@code work}.
     *
     * @param originPort the origin's preferred port; 0 puts every node on a port the system picks
     */
    static RunningDemo start(Path work, int originPort) throws IOException {
        return start(new DemoFiles(), work, originPort);
    }

    /**
     * Starts everything in {@code work}, recording what it writes in {@code files}; a failed start
     * removes all that {@code files} holds, what was recorded before the call too.
     *
     * @param originPort the origin's preferred port; 0 puts every node on a port the system picks
     */
    static RunningDemo start(DemoFiles files, Path work, int originPort) throws IOException {
        return start(files, work, originPort, originPort == 0 ? List.of(0, 0, 0) : PROXY_PORTS);
    }

    /**
     * Starts everything in {@code work}, each node on its preferred port when that is free, else
     * on one the system picks, which {@link #moved} says.
     *
     * @param originPort the origin's preferred port, 0 for any
     * @param proxyPorts the preferred ports of the two pull proxies and the push proxy, 0 for any
     */
    static RunningDemo start(Path work, int originPort, List<Integer> proxyPorts) throws IOException {
        return start(new DemoFiles(), work, originPort, proxyPorts);
    }

    private static RunningDemo start(DemoFiles files, Path work, int originPort, List<Integer> proxyPorts)
            throws IOException {
        try {
            return launch(files, work, originPort, proxyPorts);
        } catch (IOException | RuntimeException e) {
            files.remove(); // the private key above all: nothing runs that would use it
            throw e;
        }
    }

    private static RunningDemo launch(DemoFiles files, Path work, int originPort, List<Integer> proxyPorts)
            throws IOException {
        refuseUsed(work);
        Path keys = files.folders(work.resolve("keys"));
        Path maps = files.folders(work.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        // owner-only, as keygen
        Path priv = files.write(keys.resolve("origin.key"), f -> PrivateKeyFiles.write(f, key.toPkcs8Pem()));
        Path pub = files.write(keys.resolve("origin.pub"),
                f -> Files.writeString(f, key.publicKey().toSpkiPem(), StandardCharsets.US_ASCII));
        Map<Path, Path> copied = DemoCommand.copySampleMaps(maps, files);

        List<Integer> wanted = new ArrayList<>(List.of(originPort));
        wanted.addAll(proxyPorts);
        List<Integer> ports = DemoPorts.choose(wanted);
        List<String> moved = DemoPorts.moved(wanted, ports,
                List.of("the origin", "pull proxy 1", "pull proxy 2", "the push proxy"));
        List<String> proxyUrls = ports.subList(1, ports.size()).stream().map(p -> "http://127.0.0.1:" + p).toList();
        OriginConfig config = new OriginConfig(FrontEndConfig.defaults("127.0.0.1", ports.get(0)), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(60), proxyUrls, "rproxy-demo", null);
        // The origin streams its changes (RFC 8895) at /updates, for the push-mode proxy and any client.
        UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
        Origin origin;
        try {
            origin = Origin.start(config, Clock.systemUTC(), stream);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw new IllegalStateException("cannot start the origin on 127.0.0.1:" + ports.get(0) + ": "
                    + originals(e.getMessage() != null ? e.getMessage() : e.toString(), copied), e);
        }
        List<StreamingPull> pulls = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) {
                pulls.add(startPull(origin, pub, ports.get(i), "rproxy-demo-pull" + i));
            }
            PushPullProxy push = PushMode.start(new ProxyConfig(ProxyConfig.Mode.PUSH, "rproxy-demo-push",
                    new ListenConfig(new Address("127.0.0.1", ports.get(3)), null),
                    UpstreamConfig.of(URI.create(origin.baseUri()), List.of(pub)), null, null, null), 0);
            return new RunningDemo(work, pub, origin, stream, pulls, push, moved, files);
        } catch (RuntimeException e) {
            pulls.forEach(StreamingPull::close);
            origin.close();
            stream.close();
            throw new IllegalStateException("cannot start a proxy (ports " + ports.subList(1, ports.size())
                    + " taken meanwhile?): " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a work folder that holds a demo's key or maps already, before anything is written:
     * another demo may be running on it, and its origin reads its keys file every second, so a new
     * key written there would be signed with at once, and refused by that demo's proxies.
     */
    private static void refuseUsed(Path work) {
        List<String> mine = new ArrayList<>(List.of("keys/origin.key", "keys/origin.pub"));
        DemoCommand.SAMPLE_MAPS.forEach(name -> mine.add("maps/" + name));
        for (String file : mine) {
            if (Files.exists(work.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(work + ": holds a demo's files already (" + file + "); give --dir a"
                        + " folder of its own, or remove that one");
            }
        }
    }

    /**
     * {@code problem} naming the operator's maps ({@code RPROXY_HOME/conf/maps}) rather than the
     * demo's copies of them, which the failed start removes.
     */
    private static String originals(String problem, Map<Path, Path> copied) {
        String named = problem;
        for (Map.Entry<Path, Path> c : copied.entrySet()) {
            named = named.replace(c.getKey().toString(), c.getValue().toString());
        }
        return named;
    }

    private static StreamingPull startPull(Origin origin, Path pub, int port, String name) {
        UpstreamConfig up = UpstreamConfig.of(URI.create(origin.baseUri()), List.of(pub))
                .withPrefetch(List.of("/directory", "/capability"));
        ProxyConfig config = new ProxyConfig(ProxyConfig.Mode.PULL, name,
                new ListenConfig(new Address("127.0.0.1", port), null), up, null, null,
                new AdminConfig(new Address("127.0.0.1", 0)));
        return StreamingPull.start(config, StreamingPull.streamConfig(config), Clock.systemUTC());
    }

    /** Every proxy's base URI, in the order the origin lists them. */
    List<String> proxyUris() {
        List<String> uris = new ArrayList<>();
        pulls.forEach(p -> uris.add(p.pull().baseUri()));
        uris.add(push.baseUri());
        return uris;
    }

    @Override
    public void close() {
        push.close();
        pulls.forEach(StreamingPull::close);
        origin.close();
        stream.close();
    }
}
