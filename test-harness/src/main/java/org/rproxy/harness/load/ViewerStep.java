package org.rproxy.harness.load;

/** The steps of a {@link Viewer}, in order, with the names the report gives them in each dialect. */
enum ViewerStep {
    ENTRY("directory", "capability"),
    NETWORK_MAP("network-map", "prop-pid"),
    PID("endpoint-prop", "pid-lookup"),
    COST_ROW("filtered-cost-map", "cost-row"),
    RANK("endpoint-cost", "cost-ranking");

    private final String json;
    private final String xml;

    ViewerStep(String json, String xml) {
        this.json = "json " + json;
        this.xml = "xml " + xml;
    }

    /** {@code json directory}, {@code xml capability}... */
    String label(boolean isXml) {
        return isXml ? xml : json;
    }
}
