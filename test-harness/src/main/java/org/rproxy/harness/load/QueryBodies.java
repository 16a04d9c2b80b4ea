package org.rproxy.harness.load;

/**
 * The request bodies a viewer sends and the one value it reads back from a computed answer, in
 * both dialects: RFC 7285 JSON (§11.4.1 endpoint properties, §11.3.2 filtered cost map, §11.5.1
 * endpoint cost) and the seed's XML ({@code <costquery>}, {@code <endpoint pid=...>}). Built as
 * strings: they are small, and a viewer sends each once.
 */
final class QueryBodies {
    private QueryBodies() {
    }

    /** Asks for the {@code <netmap>.pid} property of one address. */
    static String endpointPid(String netmapId, int ip) {
        return "{\"properties\":[\"" + netmapId + ".pid\"],\"endpoints\":[\"ipv4:" + Population.literal(ip) + "\"]}";
    }

    /** A cost map filtered to one source PID and every destination. */
    static String costRow(String metric, String pid) {
        return "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"" + metric + "\"},\"pids\":{\"srcs\":[\""
                + pid + "\"],\"dsts\":[]}}";
    }

    /** An ordinal endpoint-cost query from one address to its candidate peers. */
    static String jsonRanking(String metric, int ip, int[] peers) {
        StringBuilder b = new StringBuilder(96 + peers.length * 24);
        b.append("{\"cost-type\":{\"cost-mode\":\"ordinal\",\"cost-metric\":\"").append(metric)
                .append("\"},\"endpoints\":{\"srcs\":[\"ipv4:").append(Population.literal(ip)).append("\"],\"dsts\":[");
        for (int k = 0; k < peers.length; k++) {
            b.append(k == 0 ? "\"ipv4:" : ",\"ipv4:").append(Population.literal(peers[k])).append('"');
        }
        return b.append("]}}").toString();
    }

    /** The seed's ranking query ({@code POST /cost/m?mode=ordinal}). */
    static String xmlRanking(int ip, int[] peers) {
        StringBuilder b = new StringBuilder(128 + peers.length * 40);
        b.append("<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"routingcost\"><srcendp name=\"ipv4:")
                .append(Population.literal(ip)).append("\"/>");
        for (int p : peers) {
            b.append("<dstendp name=\"ipv4:").append(Population.literal(p)).append("\"/>");
        }
        return b.append("</costquery></alto>").toString();
    }

    /** The PID in an endpoint-property ({@code .pid":"X"}) or XML lookup ({@code pid="X"}) answer, or null. */
    static String pidIn(String answer, boolean xml) {
        String marker = xml ? " pid=\"" : ".pid\":\"";
        int at = answer.indexOf(marker);
        if (at < 0) {
            return null;
        }
        int from = at + marker.length();
        int end = answer.indexOf('"', from);
        return end < 0 ? null : answer.substring(from, end);
    }
}
