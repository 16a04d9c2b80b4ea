package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

/**
 * Reads a request counter from a Prometheus text-format {@code /metrics} endpoint (the rproxy
 * admin listener's {@code rproxy_requests_total{method,path,status}}), summing the samples of the
 * named metric by their {@code path} label.
 */
public final class PrometheusOriginCounter implements OriginCounter {
    private static final Pattern PATH = Pattern.compile("path=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final URI url;
    private final String metric;
    private final HttpClient http;
    private final TargetTls tls;

    public PrometheusOriginCounter(URI url, String metric) {
        this(url, metric, null);
    }

    /**
     * @param tls the run's TLS trust, for an {@code https} URL: an origin behind a private CA is
     *            counted with the {@code --ca} the targets are checked against, not the system store
     */
    public PrometheusOriginCounter(URI url, String metric, TargetTls tls) {
        this.url = requireNonNull(url, "url");
        this.metric = requireNonNull(metric, "metric");
        this.tls = "https".equals(url.getScheme()) ? tls : null;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (this.tls != null) {
            b.sslContext(this.tls.jdk());
        }
        this.http = b.build();
    }

    @Override
    public String source() {
        return metric + " from " + url;
    }

    @Override
    public Map<String, Long> byPath() throws Exception {
        HttpResponse<String> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (SSLException e) {
            String why = tls != null ? tls.failure(e, url.getHost()) : e.getMessage();
            throw new IOException("--origin-metrics " + url + ": cannot read it (" + why + ")", e);
        } catch (IOException e) {
            // a refused connect has no message of its own: say which option and what happened
            throw new IOException("--origin-metrics " + url + ": cannot read it (" + e + ")", e);
        }
        if (resp.statusCode() != 200) {
            throw new IllegalStateException("--origin-metrics " + url + ": HTTP " + resp.statusCode());
        }
        return parse(resp.body(), metric);
    }

    static Map<String, Long> parse(String text, String metric) {
        Map<String, Long> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(metric + "{") || line.startsWith(metric + " "))) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            long value = (long) Double.parseDouble(line.substring(space + 1).trim());
            Matcher m = PATH.matcher(line);
            String path = m.find() ? m.group(1) : "-";
            out.merge(path, value, Long::sum);
        }
        return out;
    }
}
