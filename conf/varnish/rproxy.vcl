vcl 4.1;
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
#  - vcl_backend_fetch removes X-Varnish, so the node answers each variant as asked.

backend rproxy_node {
    .host = "127.0.0.1";
    .port = "8282";
}

sub vcl_recv {
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
    if (req.http.X-Rproxy-Varnish-Fetch) {
        set resp.http.Vary = "Accept-Encoding";
    }
}

# Freshness: Varnish takes ttl = max-age - Age and grace = stale-while-revalidate, both of which
# the node keeps within the signature's validity, and the built-in VCL (which runs after this)
# marks an answer whose ttl is not positive hit-for-miss. But the node leaves a window out when it
# is zero (the signature is close to its expiry), and without stale-while-revalidate Varnish
# applies default_grace (10 s), serving a copy past the node's windows, and its signature possibly
# expired: no stale-while-revalidate, no grace. keep (default_keep, 0 s) only lets Varnish
# revalidate a copy conditionally; a kept copy is never served.
sub vcl_backend_response {
    if (beresp.http.Cache-Control !~ "(?i)(^|,)\s*stale-while-revalidate\s*=") {
        set beresp.grace = 0s;
    }
}
