package org.rproxy.overlay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

final class Probe {
    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("probe");
        List<DhtNode> nodes = new ArrayList<>();
        List<Swarm> swarms = new ArrayList<>();
        List<InetSocketAddress> seeds = new ArrayList<>(); for (int i = 1; i <= 6; i++) seeds.add(new InetSocketAddress(InetAddress.getByName("100.64.0." + i), 6881));
        for (int i = 1; i <= 6; i++) {
            InetAddress a = InetAddress.getByName("100.64.0." + i);
            Path d = Files.createDirectories(tmp.resolve("n" + i));
            DhtNode n = DhtNode.start(a, 6881, d, seeds, false);
            nodes.add(n);
            swarms.add(new Swarm(a, 7000, Files.createDirectories(d.resolve("bt")), n));
        }
        long t0 = System.nanoTime();
        while (nodes.get(5).knownNodes() < 5 && System.nanoTime() - t0 < 20_000_000_000L) {
            Thread.onSpinWait();
        }
        System.out.println("known " + nodes.stream().map(n -> n.knownNodes()).toList() + " after " + (System.nanoTime() - t0) / 1e6);
        DhtKey k = DhtKey.ofSeed(new byte[32]);
        byte[] ih = swarms.get(0).seed("doc.http", "hello bundle".repeat(1000).getBytes());
        Pointer p = new Pointer(k.publicKey(), "my-network-map", 42, ih, 12000);
        System.out.println("put " + nodes.get(0).put(p.sign(k)).get(30, TimeUnit.SECONDS));
        Optional<lbms.plugins.mldht.kad.GenericStorage.StorageItem> got = nodes.get(4).get(k.publicKey(), Pointer.salt("my-network-map")).get(30, TimeUnit.SECONDS);
        System.out.println("got " + got.map(it -> Pointer.of(it, "my-network-map")));
        System.out.println("peers " + nodes.get(3).peers(ih, 0).get(30, TimeUnit.SECONDS));
        long t1 = System.nanoTime();
        byte[] b = swarms.get(5).fetch(ih, 1 << 20, true).get(60, TimeUnit.SECONDS);
        System.out.println("fetched " + b.length + " in " + (System.nanoTime() - t1) / 1e6);
        byte[] b2 = swarms.get(4).fetch(ih, 1 << 20, true).get(60, TimeUnit.SECONDS);
        System.out.println("fetched2 " + b2.length + " in " + (System.nanoTime() - t1) / 1e6);
        swarms.forEach(Swarm::close);
        nodes.forEach(DhtNode::close);
        System.exit(0);
    }
}
