vcl 4.1;
import std;
import purge;
# Varnish in front of an rproxy node (origin or proxy). Run with the parameters in
# varnishd.params, for example:
#   varnishd -a 127.0.0.1:6081 -f /path/to/rproxy.vcl -s malloc,256m \
#            $(grep -v '^#' varnishd.params | sed 's/^/-p /')
# Change the backend address to your node's. Tested with Varnish 7.1 by HttpCachesIT (test-harness).
#
# Why this is needed: with its default http_gzip_support=on, Varnish asks every backend for gzip
# (whatever the client asked), stores the gzip variant and gunzips it for clients that did not
# ask for gzip, ignoring Cache-Control: no-transform. Every signed document carries a digest of
# the bytes as sent, so those clients would get bytes that do not verify. The node protects
# itself: a request carrying X-Varnish (Varnish adds it to every backend request) gets the
# identity variant, which every client can verify. That works with no VCL at all, but gzip
# clients then get identity. This VCL gets the signed gzip variants back:
#  - varnishd.params sets http_gzip_support=off: Varnish passes Accept-Encoding through and
#    never (un)compresses;
#  - vcl_recv reduces Accept-Encoding to "gzip" or nothing, so Vary: Accept-Encoding, X-Varnish
#    gives two variants per document rather than one per distinct header value, and to nothing
#    for a request carrying X-Varnish (a Varnish in front, which may gunzip: see vcl_recv);
#  - vcl_backend_fetch removes X-Varnish, so the node answers each variant as asked;
#  - vcl_hit, vcl_backend_error and vcl_synth serve a stale copy while the node fails, within its
#    stale-if-error, which Varnish does not do by itself (see "Freshness" below).

backend rproxy_node {
    .host = "127.0.0.1";
    .port = "8282";
}

sub vcl_recv {
    # X-Rproxy-Stale is this VCL's own mark on a restarted request (see "Freshness" below): a
    # client's is not taken.
    if (req.restarts == 0) {
        unset req.http.X-Rproxy-Stale;
    } else if (req.http.X-Rproxy-Stale == "fetch") {
        set req.grace = 0s;
    } else if (req.http.X-Rproxy-Stale == "error") {
        set req.grace = 3650d;      # each copy's own grace again (req.grace outlives a restart)
    }
    # An update stream (RFC 8895: POST /updates, answered with text/event-stream for as long as
    # the client stays) is piped: Varnish's send_timeout (600 s) limits the whole of an ordinary
    # response and would cut every stream after it; a pipe has only pipe_timeout (60 s), an idle
    # limit that the node's heartbeats (every 10 s by default; keep them under it) never reach.
    # A pipe relays bytes both ways without storing them, so a subscriber that stops reading
    # holds up the node's writes as it would without Varnish (the node's stall timeout applies).
    # The
    # request goes out with its Host (the node names it in the control URI) and with
    # 'Connection: close' (Varnish sets it on every piped request): the connection ends with the
    # stream. Control requests (POST /updates/control/...) are short: passed, as other POSTs.
    # HTTP/1 only: over HTTP/2 (feature=+http2, off by default) Varnish 7.1 passes the request
    # instead, and send_timeout applies again.
    if (req.method == "POST" && req.url ~ "^/updates/?(\?|$)") {
        return (pipe);
    }
    # A pull proxy behind this cache holding a cost map that does not fit its network map (one
    # fetched before an update, the other after) asks again with 'Rproxy-Refetch: 1', a few times
    # with growing pauses, only while they do not fit. vcl_hit fetches such a request from the node
    # instead of answering from a copy that may stay fresh for most of a max-age, but only when the
    # copy held was fetched by this Varnish over a second ago: any client can send the header, so at
    # most about one such request a second per stored copy reaches the node, the rest are answered
    # from the cache. Cache-Control: no-cache from clients stays ignored.
    # A request carrying X-Varnish comes from a Varnish in front fetching for itself (a client's
    # X-Varnish reaches vcl_recv as sent; this Varnish sets its own only on backend requests and
    # answers). A default one (http_gzip_support=on) asks for gzip whatever its client asked and
    # gunzips for clients that did not: it gets the identity variant, as it would from the node.
    # A Varnish in front with this VCL removes X-Varnish from its backend requests, so gets gzip.
    # The node names X-Varnish in Vary (it selects the variant) except in its answer to such a
    # fetch: the header is taken off here, so the request matches the objects this Varnish holds
    # (fetched without it: see vcl_backend_fetch), and vcl_deliver tells that Varnish what the
    # node would have (Vary naming X-Varnish, which it keys on with a new number at every fetch
    # of its own, would make it miss every time).
    if (req.http.X-Varnish) {
        unset req.http.Accept-Encoding;
        unset req.http.X-Varnish;
        set req.http.X-Rproxy-Varnish-Fetch = "1";
    } else if (req.http.Accept-Encoding ~ "(?i)\bgzip\b"
            && req.http.Accept-Encoding !~ "(?i)\bgzip\s*;\s*q\s*=\s*0(\.0*)?\s*(,|$)") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
}

sub vcl_backend_fetch {
    # Safe only with http_gzip_support=off (varnishd.params): Varnish then never gunzips.
    unset bereq.http.X-Varnish;
    unset bereq.http.X-Rproxy-Varnish-Fetch;
}

sub vcl_deliver {
    unset resp.http.X-Rproxy-Fetched;
    if (req.http.X-Rproxy-Varnish-Fetch) {
        set resp.http.Vary = "Accept-Encoding";
    }
}

# Freshness: Varnish takes ttl = max-age - Age, and the built-in VCL (which runs after this) marks
# an answer whose ttl is not positive hit-for-miss. Past ttl a copy may be served in two windows
# the node sends, both ending before the signature's expires: stale-while-revalidate (served,
# refreshed in the background) and stale-if-error (served only while the node fails: refused
# connection, timeout, 5xx). Varnish knows only the first: it takes grace from
# stale-while-revalidate, and with the node down past it answered 503 where nginx serves the copy.
# So grace is the longer of the two windows, and vcl_hit serves a copy past
# stale-while-revalidate only after a fetch failed: it restarts the request marked "fetch", which
# looks up with no grace (a miss, fetched in the foreground, conditionally; concurrent clients
# wait for that one fetch), the fetch that fails is abandoned (vcl_backend_error, or a 5xx in
# vcl_backend_response), and vcl_synth restarts the request marked "error", which takes the copy
# within its grace. A background fetch that fails is abandoned too, so it never replaces the copy
# with an error. The node always sends stale-while-revalidate (=0 when it has no window, and with
# must-revalidate); for an answer without it (another server's), Varnish's default_grace (10 s)
# must not stand in for it: it could serve an expired signature.
# keep (default_keep, 0 s) only lets Varnish revalidate a copy conditionally; a kept copy is never
# served. The mark goes to the node on the fetch (the node ignores it).
sub vcl_hit {
    if (obj.ttl < 0s && req.http.X-Rproxy-Stale != "error" && obj.ttl + std.duration(regsub(obj.http.Cache-Control,
            "(?i)^.*\bstale-while-revalidate\s*=\s*(\d+).*$", "\1s"), 0s) <= 0s) {
        set req.http.X-Rproxy-Stale = "fetch";
        return (restart);
    }
    # Rproxy-Refetch (see vcl_recv), honoured only for a copy this Varnish fetched over a second ago
    # (X-Rproxy-Fetched, set in vcl_backend_response; obj.age would count the node's Age too). The
    # URL's copies are made to have expired a second before the request came (not at that moment:
    # a restarted request keeps the time it came, and its lookup would then find no copy at all),
    # keeping their grace, and the request is restarted marked "fetch" as above: one fetch from
    # the node, which concurrent requests wait for or are answered the copy meanwhile (within
    # stale-while-revalidate), and the copy within its stale-if-error if that fetch fails. Only a
    # first lookup of a fresh copy: a restarted request never refetches.
    if (req.http.Rproxy-Refetch && req.restarts == 0 && obj.ttl > 0s
            && std.time2real(now, 0) - std.real(obj.http.X-Rproxy-Fetched, 0) > 1) {
        purge.soft(-1s);
        set req.http.X-Rproxy-Stale = "fetch";
        return (restart);
    }
}

sub vcl_backend_response {
    if (beresp.status >= 500 && (bereq.is_bgfetch || bereq.http.X-Rproxy-Stale == "fetch")) {
        return (abandon);
    }
    set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
            "(?i)^.*\bstale-while-revalidate\s*=\s*(\d+).*$", "\1s"), 0s);
    if (std.duration(regsub(beresp.http.Cache-Control, "(?i)^.*\bstale-if-error\s*=\s*(\d+).*$", "\1s"), 0s)
            > beresp.grace) {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
                "(?i)^.*\bstale-if-error\s*=\s*(\d+).*$", "\1s"), 0s);
    }
    # When this Varnish fetched the copy (seconds since the epoch), for Rproxy-Refetch in vcl_hit.
    set beresp.http.X-Rproxy-Fetched = std.time2real(now, 0);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch || bereq.http.X-Rproxy-Stale == "fetch") {
        return (abandon);
    }
}

sub vcl_synth {
    if (resp.status == 503 && req.http.X-Rproxy-Stale == "fetch") {
        set req.http.X-Rproxy-Stale = "error";
        return (restart);
    }
}
