package org.rproxy.core.model;

/**
 * Run in a JVM of its own by {@link IpAddressTextTest}: parses each argument as a typed endpoint
 * address and prints, one line each, its canonical form or {@code refused}. The test starts it
 * with a hosts file of its own ({@code -Djdk.net.hosts.file}), which the JDK's resolver reads
 * once, when {@code InetAddress} is first used: so whatever it prints for a name listed there
 * came from a name lookup.
 */
public final class AddressTextProbe {

    private AddressTextProbe() {
    }

    public static void main(String[] args) {
        for (String a : args) {
            String out;
            try {
                out = IpAddress.parseTyped(a, "endpoints/srcs").toTyped();
            } catch (AltoException e) {
                out = "refused";
            }
            System.out.println(a + " " + out);
        }
    }
}
