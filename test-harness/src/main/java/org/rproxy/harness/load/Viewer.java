package org.rproxy.harness.load;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;

import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.PrefixIndex;

/**
 * One simulated viewer joining a live event, doing what a P2P client does on joining:
 *
 * <ol>
 *   <li>read the directory ({@code GET /directory}, JSON) or the capability ({@code GET /capability}, XML);</li>
 *   <li>read the network map, conditionally ({@code If-None-Match}) when it is a returning viewer
 *       holding a tag;</li>
 *   <li>find its PID: by longest-prefix match in the verified map, or by asking (endpoint
 *       property {@code <map>.pid}, or {@code GET /prop/pid/lookup});</li>
 *   <li>read its cost row (filtered cost map, or {@code GET /cost/row?srcpid=});</li>
 *   <li>rank candidate peers (endpoint cost service in ordinal mode, or {@code POST /cost/m?mode=ordinal}).</li>
 * </ol>
 *
 * A viewer that ranks locally (the {@code serverRank} share of the mix decides) stops after its
 * cost row; in a documents-only run (push proxies serve no queries) every viewer finds its PID in
 * the map and stops after it, whatever the server-PID and server-rank shares.
 *
 * <p>A small state machine, not a thread: each step sends one request on the viewer's connection and
 * the answer (on that connection's event loop) moves it on. Each request's latency is measured
 * from when it was due — the scheduled arrival for the first, the previous answer for the rest,
 * the end of the {@code Retry-After} for an attempt after a {@code 503} — so time spent waiting
 * for a busy connection is counted, not hidden, and the back-off the node asked for is not a
 * request's latency (the join latency, from the arrival, still includes it). A {@code 503} (a
 * node shedding load) is asked again of the same target after its {@code Retry-After} (waited in
 * full, {@link RetryAfter}), at most {@link #MAX_RETRIES} times in a viewer's life, and counted
 * per step; any other error or a failed verification ends the viewer. A viewer never falls back
 * to another target or the origin, unlike the client library ({@code rproxy-client}), which moves
 * to its next source on any failure without waiting: the origin load a crowd of library clients
 * would cause when a node sheds load or fails is not modelled. A request that gets no answer (timeout, closed
 * connection, failed connect) has no latency: it is counted as unanswered, and the report says
 * how many requests the percentiles leave out.
 */
final class Viewer implements Exchange.Callback {
    private static final String JSON_ERR = ",application/alto-error+json";
    static final int MAX_RETRIES = 3;

    private final ViewerContext ctx;
    private final ClientPool.Target target;
    private final Connection connection;
    private final long index;
    private final int ip;
    private final boolean xml;
    private final boolean returning;
    private final boolean serverPid;
    private final boolean serverRank;
    private final long dueNanos;
    private ViewerStep step;
    private long stepDue;
    /** The node's path for the current step (what its signature names), and what the step asks of the target. */
    private String path;
    private String requestTarget;
    private Held.Doc sentTag;
    private Documents.DirectoryInfo dir;
    private PrefixIndex prefixes;
    private String pid;
    private int retries;
    /** The request out now (a viewer has one at a time). */
    private Exchange current;

    Viewer(ViewerContext ctx, ClientPool.Target target, long index, long dueNanos) {
        this.ctx = ctx;
        this.target = target;
        this.connection = target.assign();
        this.index = index;
        this.ip = ctx.population.address(index);
        this.xml = ctx.population.xml(index);
        this.returning = ctx.population.returning(index);
        // a documents-only viewer finds its PID in the map whatever the mix says: it sends no query
        this.serverPid = !ctx.documentsOnly && ctx.population.serverPid(index);
        this.serverRank = ctx.population.serverRank(index);
        this.dueNanos = dueNanos;
    }

    void start() {
        ctx.stats.viewersStarted.increment();
        step = ViewerStep.ENTRY;
        stepDue = dueNanos;
        send();
    }

    private String stepName() {
        return step.label(xml);
    }

    private void send() {
        switch (step) {
            case ENTRY:
                at(xml ? "/capability" : "/directory", false);
                get(xml ? "application/xml" : "application/alto-directory+json" + JSON_ERR, null);
                break;
            case NETWORK_MAP:
                at(xml ? "/prop/pid" : dir.networkMap(), !xml);
                sentTag = returning ? ctx.held.get(target.index, path) : null;
                get(xml ? "application/xml" : "application/alto-networkmap+json" + JSON_ERR,
                        sentTag == null ? null : sentTag.etag);
                break;
            case PID:
                if (xml) {
                    at("/prop/pid/lookup?endpoint=ipv4:" + Population.literal(ip), false);
                    get("application/xml", null);
                } else {
                    at(dir.endpointProp(), true);
                    post("application/alto-endpointpropparams+json", "application/alto-endpointprop+json" + JSON_ERR,
                            QueryBodies.endpointPid(dir.netmapId(), ip));
                }
                break;
            case COST_ROW:
                if (xml) {
                    at("/cost/row?srcpid=" + pid, false);
                    get("application/xml", null);
                } else {
                    at(dir.filteredCostMap(), true);
                    post("application/alto-costmapfilter+json", "application/alto-costmap+json" + JSON_ERR,
                            QueryBodies.costRow(dir.metric(), pid));
                }
                break;
            default:
                sendRanking();
                break;
        }
    }

    private void sendRanking() {
        int[] peers = ctx.population.peers(index);
        if (xml) {
            at("/cost/m?mode=ordinal", false);
            post("application/xml", "application/xml", QueryBodies.xmlRanking(ip, peers));
            return;
        }
        at(dir.endpointCost(), true);
        post("application/alto-endpointcostparams+json", "application/alto-endpointcost+json" + JSON_ERR,
                QueryBodies.jsonRanking(dir.metric(), ip, peers));
    }

    /** The step's path: a fixed one goes under the target URL's path, a directory URI is resolved ({@link ClientPool.Target#resolve}). */
    private void at(String reference, boolean fromDirectory) {
        path = reference.startsWith("/") ? reference : "/" + reference;
        requestTarget = fromDirectory ? target.resolve(reference) : target.path(path);
    }

    private void get(String accept, String ifNoneMatch) {
        submit(Exchange.get(requestTarget, accept, ctx.gzip, ifNoneMatch, this));
    }

    private void post(String contentType, String accept, String body) {
        submit(Exchange.post(requestTarget, contentType, accept, body, this));
    }

    private void submit(Exchange ex) {
        current = ex;
        ctx.stats.sent.increment();
        connection.submit(ex);
    }

    @Override
    public void onResponse(FullHttpResponse response) {
        if (ctx.stopped()) {
            return;
        }
        long now = System.nanoTime();
        Stats s = ctx.stats;
        Stats.record(s.requestLatency, (now - stepDue) / 1_000);
        // the same latency in two parts: waiting in the harness (for the connection, the event loop),
        // and after the write
        long written = current.writtenNanos;
        Stats.record(s.queuedLatency, (written - stepDue) / 1_000);
        Stats.record(s.serverLatency, (now - written) / 1_000);
        s.requests.increment();
        s.bytes.add(response.content().readableBytes());
        s.step(target.base, stepName());
        if (response.status().code() == 503 && retries < MAX_RETRIES) {
            retries++;
            s.retry(stepName());
            long wait = RetryAfter.millis(response.headers().get("retry-after"));
            // the next attempt is due when the node asked to be asked again: its latency starts then
            stepDue = now + wait * 1_000_000;
            connection.later(this::send, wait);
            return;
        }
        String problem;
        try {
            problem = handle(response);
        } catch (RuntimeException e) {
            problem = "bad answer: " + e.getClass().getSimpleName() + " " + e.getMessage();
        }
        if (problem != null) {
            if (!problem.startsWith("verification ")) {
                s.error(problem + " @ " + stepName());
            }
            finish(false, now);
            return;
        }
        if (step == ViewerStep.RANK || (step == ViewerStep.COST_ROW && !serverRank)
                || (step == ViewerStep.NETWORK_MAP && ctx.documentsOnly)) {
            finish(true, now);
            return;
        }
        // a viewer that finds its PID in the map asks no one for it
        step = step == ViewerStep.NETWORK_MAP && !serverPid ? ViewerStep.COST_ROW
                : ViewerStep.values()[step.ordinal() + 1];
        stepDue = now;
        send();
    }

    @Override
    public void onFailure(String kind) {
        if (ctx.stopped()) {
            return;
        }
        ctx.stats.unanswered.increment();
        ctx.stats.error(kind + " @ " + stepName());
        finish(false, System.nanoTime());
    }

    private void finish(boolean joined, long now) {
        if (joined) {
            ctx.stats.viewersJoined.increment();
            Stats.record(ctx.stats.joinLatency, (now - dueNanos) / 1_000);
        } else {
            ctx.stats.viewersFailed.increment();
        }
        ctx.viewerDone();
    }

    /** Null when the answer lets the viewer go on, else what was wrong. */
    private String handle(FullHttpResponse response) {
        int status = response.status().code();
        switch (step) {
            case ENTRY:
            case NETWORK_MAP:
                return handleSigned(response, status);
            default:
                if (status != 200) {
                    return "http " + status;
                }
                String problem = AnswerChecks.derived(ctx, path, response);
                if (problem != null || step != ViewerStep.PID) {
                    return problem;
                }
                pid = QueryBodies.pidIn(response.content().toString(StandardCharsets.UTF_8), xml);
                return pid == null ? "no PID in the answer" : null;
        }
    }

    private String handleSigned(FullHttpResponse response, int status) {
        HttpHeaders h = response.headers();
        Held.Doc doc;
        Function<String, String> fields;
        ByteBuf body;
        if (status == 304 && sentTag != null) {
            ctx.stats.notModified.increment();
            doc = sentTag;
            fields = doc.freshenedBy(h);
            body = doc.body;
        } else if (status == 200) {
            doc = null;
            fields = h::get;
            body = response.content();
        } else {
            return "http " + status;
        }
        String problem = AnswerChecks.signed(ctx, path, fields, body);
        if (problem != null) {
            return problem;
        }
        if (doc == null) {
            doc = ctx.held.offer(target.index, path, h, body);
        }
        String etag = fields.apply("etag");
        String encoding = fields.apply("content-encoding");
        ByteBuf b = body;
        String key = target.index + " " + path + " " + (etag == null ? "" : etag);
        if (step == ViewerStep.ENTRY) {
            if (!xml) {
                dir = ctx.documents.directory(key, () -> ByteBufUtil.getBytes(b), encoding);
            }
            return null;
        }
        prefixes = ctx.documents.networkMap(key, () -> ByteBufUtil.getBytes(b), encoding, xml);
        if (!serverPid) {
            byte[] a = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
            pid = prefixes.pidOf(IpAddress.of(a)).orElse(null);
            return pid == null ? "no PID for " + Population.literal(ip) + " in the network map" : null;
        }
        return null;
    }
}
