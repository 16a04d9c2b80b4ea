package org.rproxy.core.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;

import org.rproxy.core.upstream.NameLookup;

/** {@link NameLookup}s whose answer a test holds back, to see what waits for a name meanwhile. */
public final class HeldLookups {

    private HeldLookups() {
    }

    /**
     * Looks {@code name} up as loopback (any other name does not resolve): counts {@code asked}
     * down when asked, then answers once {@code answer} is counted down.
     */
    public static NameLookup loopback(String name, CountDownLatch asked, CountDownLatch answer) {
        return new NameLookup(host -> {
            asked.countDown();
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!host.equals(name)) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        });
    }
}
