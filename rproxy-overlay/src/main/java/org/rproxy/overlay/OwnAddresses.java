package org.rproxy.overlay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.RPCServer;

/**
 * The socket addresses at which other nodes may list this DHT node, as mldht knows them: for
 * each of its servers, the address it is bound to (unless the wildcard) and the global unicast
 * address of its socket, with its port, and the external address the nodes that answered it agree
 * on (BEP 42's {@code ip}, behind a NAT). mldht leaves out of its lookups only nodes bearing one of
 * its current ids, and has no test for its own address; but a node that restarts on the same
 * address gets a new id (ids are not persisted, {@link DhtSettings}), and the nodes that knew it
 * go on handing out its address under the old one for a while. A request sent there comes back to
 * this node, which drops it unanswered (it comes from its own id), and the lookup waited out two
 * attempts for it. Stateless.
 */
final class OwnAddresses {
    private OwnAddresses() {
    }

    /** The addresses at which {@code dht} itself listens, as far as it knows them now. */
    static Set<InetSocketAddress> of(DHT dht) {
        Set<InetSocketAddress> out = new HashSet<>();
        for (RPCServer srv : dht.getServerManager().getAllServers()) {
            InetAddress bound = srv.getBindAddress();
            if (bound != null && !bound.isAnyLocalAddress()) {
                out.add(new InetSocketAddress(bound, srv.getPort()));
            }
            InetAddress socket = srv.getPublicAddress();
            if (socket != null) {
                out.add(new InetSocketAddress(socket, srv.getPort()));
            }
            InetSocketAddress external = srv.getConsensusExternalAddress();
            if (external != null) {
                out.add(external);
            }
        }
        return out;
    }
}
