#!/usr/bin/env bash
# Compares a warmed RProxy (pull mode) with the anchors — nginx static files, nginx proxy_cache
# and Varnish — serving the same signed ALTO documents on loopback:
#   directory   ~2.7 KB   GET /directory
#   medium      ~26 KB    GET /networkmap/medium-network-map (a 140-PoP network map)
#   network map ~100 KB   GET /networkmap/default-network-map
#   cost map    ~5 MB     GET /costmap/routingcost-map, plain and gzip (its prepared gzip variant)
# and a fixed mix of computed answers that only RProxy gives (filtered cost maps, endpoint costs
# and rankings in JSON, the seed's XML ranking, endpoint properties; POSTs rotated by a wrk
# script), reported as answers/s and answers per server CPU-second (= per core).
# Each (document, system) pair is measured with wrk for SECONDS seconds, in ONE run, alternating
# the systems (A B C D D C B A ...: no system is always first), because this kind of machine varies up to 2x between runs:
# compare within a run and quote ratios. Beside requests/s it reports requests per server
# CPU-second (from /proc/PID/stat of the server's processes before and after), since wrk shares
# the cores with the server.
#
# First, before anything is warm, a cold-miss burst: 200 simultaneous GETs of the cost map to
# each cache (own client: every request leaves at once, unlike ab), counting the requests that
# reached the origin through a counting relay, and the waiters' latency.
#
# Run by hand (not in CI), from a checkout: bench/compare.sh. Needs nginx, varnish and wrk; they
# are installed from the distribution's packages when missing (apt-get; needs root or sudo).
# Everything listens on 127.0.0.1 and every process started is stopped by PID at the end.
#
# Settings (environment): SECONDS_PER_RUN (10), ROUNDS (2), WARMUP_SECONDS (5, per system and
# document before measuring), JVM_WARMUP_SECONDS (30: the same for the RProxies, long enough for
# the JVM to finish compiling its hot paths while wrk holds both cores; with 5 s the answer mix
# ran at half its steady rate and still rose from round to round), CONNECTIONS (64), WRK_THREADS (2),
# BURST (200), RPROXY_JAR and HARNESS_JAR (default: the jars this checkout builds), KEEP=1 to
# keep the work folder (configs, logs, raw wrk output).
# Subsets, to iterate quickly: DOCS (default "directory medium networkmap costmap costmap.gz answers"), SYSTEMS
# (default "nginx-static nginx-cache varnish rproxy"; the burst runs on the caches among them),
# BURST=0 to skip the burst. BASELINE_JAR=path adds system "rproxy-base": a second RProxy from
# that jar (say, the previous build), measured alternating with the others, so a before/after
# comparison comes from one run; it is added to SYSTEMS unless SYSTEMS is given. BASELINE_ARGS: extra
# 'rproxy proxy' options for that one (BASELINE_JAR=rproxy-app/target/rproxy.jar BASELINE_ARGS=--no-spool
# compares sendfile with writing from memory in one build; BASELINE_ARGS='--send-buffer 256KB' a fixed
# send buffer with the kernel's autotuning); RPROXY_ARGS: the same for rproxy. RPROXY_OPTS: extra
# JVM options for both RProxies (e.g. -XX:StartFlightRecording=...); BASELINE_OPTS, when set,
# replaces them for rproxy-base (one jar, a system property on one side only). PORT_BASE (18080): the
# listeners take PORT_BASE+1..+5 and +100, +101, so two runs on one machine can use two bases.
# The answer mix runs on the RProxies only (the caches would pass every POST to the origin).
# Two tables come out: every (document, system) pair, then each RProxy's ratios over each anchor.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
ROUNDS="${ROUNDS:-2}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
JVM_WARMUP_SECONDS="${JVM_WARMUP_SECONDS:-30}"
CONNECTIONS="${CONNECTIONS:-64}"
WRK_THREADS="${WRK_THREADS:-2}"
BURST="${BURST:-200}"
RPROXY_JAR="${RPROXY_JAR:-$here/rproxy-app/target/rproxy.jar}"
BASELINE_JAR="${BASELINE_JAR:-}"
DOCS="${DOCS:-directory medium networkmap costmap costmap.gz answers}"
if [[ -z "${SYSTEMS:-}" ]]; then
  SYSTEMS="nginx-static nginx-cache varnish rproxy"
  [[ -n "$BASELINE_JAR" ]] && SYSTEMS="$SYSTEMS rproxy-base"
fi
RPROXY_OPTS="${RPROXY_OPTS:-}"
BASELINE_ARGS="${BASELINE_ARGS:-}"
RPROXY_ARGS="${RPROXY_ARGS:-}"
HARNESS_JAR="${HARNESS_JAR:-$here/test-harness/target/harness.jar}"

PORT_BASE="${PORT_BASE:-18080}"
P_ORIGIN=$((PORT_BASE + 101)) P_RELAY=$((PORT_BASE + 100)) P_STATIC=$((PORT_BASE + 1)) P_NGXCACHE=$((PORT_BASE + 2))
P_VARNISH=$((PORT_BASE + 3)) P_RPROXY=$((PORT_BASE + 4)) P_BASE=$((PORT_BASE + 5))
DOC_PATHS="/directory /networkmap/medium-network-map /networkmap/default-network-map /costmap/routingcost-map"

W="$(mktemp -d /tmp/rproxy-compare.XXXXXX)"
chmod 755 "$W"
PIDS=()

log() { echo "compare: $*" >&2; }

# True when system $1 is among SYSTEMS.
wanted() { [[ " $SYSTEMS " == *" $1 "* ]]; }

stop_all() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [[ -z "$pid" ]] && continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ "${KEEP:-0}" == "1" ]]; then log "kept $W"; else rm -rf "$W"; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

ensure_tools() {
  local missing=()
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v varnishd >/dev/null || [[ -x /usr/sbin/varnishd ]] || missing+=(varnish)
  command -v wrk >/dev/null || missing+=(wrk)
  [[ -x /usr/bin/time ]] || missing+=(time)
  [[ ${#missing[@]} -eq 0 ]] && return
  log "installing ${missing[*]} from the distribution's packages"
  local sudo=""
  if [[ "$(id -u)" != "0" ]]; then
    command -v sudo >/dev/null || { log "need root (or sudo) to install ${missing[*]}"; exit 2; }
    sudo="sudo"
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
}

ensure_jars() {
  if [[ ! -f "$RPROXY_JAR" || ! -f "$HARNESS_JAR" ]]; then
    log "building the jars (takes a minute)"
    (cd "$here" && mvn -B -q -DskipTests -pl rproxy-app,test-harness -am package) >&2
  fi
  if ! java -jar "$RPROXY_JAR" proxy --help >/dev/null 2>&1; then
    log "$RPROXY_JAR has no 'proxy' command (the pull proxy is not in this build)"; exit 2
  fi
}

# Starts a process in the background, logging to $W/NAME.log; its PID is remembered (for the
# stop at the end) and left in LAST_PID. Not to be called inside $(...): the PID would be lost.
LAST_PID=""
start() {
  local name="$1"; shift
  "$@" >"$W/$name.log" 2>&1 &
  LAST_PID="$!"
  PIDS+=("$LAST_PID")
}

wait_http() {
  local url="$1" want="${2:-200}" code=""
  for _ in $(seq 300); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)"
    [[ "$code" == "$want" ]] && return 0
    sleep 0.2
  done
  log "$url did not answer $want (last: $code)"; exit 1
}

# Every PID of the process tree rooted at $1.
tree_pids() {
  local p="$1" c
  echo "$p"
  for c in $(pgrep -P "$p" || true); do tree_pids "$c"; done
}

# CPU seconds used so far by the process tree rooted at $1.
cpu_seconds() {
  local ticks=0 p t hz
  hz="$(getconf CLK_TCK)"
  for p in $(tree_pids "$1"); do
    t="$(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || echo 0)"
    ticks=$((ticks + t))
  done
  awk -v t="$ticks" -v hz="$hz" 'BEGIN { printf "%.3f", t / hz }'
}

relay_count() { grep -c '^REQ ' "$W/relay.log" || true; }

write_nginx_conf() {
  local user_line=""
  [[ "$(id -u)" == "0" ]] && user_line="user root root;"
  cat >"$W/nginx.conf" <<EOF
$user_line
worker_processes auto;
pid $W/nginx.pid;
error_log $W/nginx-error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  sendfile on;
  tcp_nopush off;            # Debian's default 'on' stalls loopback responses 40 ms
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  types { }
  default_type application/octet-stream;
  proxy_cache_path $W/nginx-cache levels=1:2 keys_zone=alto:50m max_size=2g inactive=1h use_temp_path=off;
  upstream relay { server 127.0.0.1:$P_RELAY; keepalive 32; }
  server {                   # nginx static: the documents as files, gzip variant prepared (gzip_static)
    listen 127.0.0.1:$P_STATIC;
    root $W/static;
    gzip_static on;
  }
  server {                   # nginx proxy_cache in front of the origin
    listen 127.0.0.1:$P_NGXCACHE;
    location / {
      proxy_pass http://relay;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache alto;
      proxy_cache_valid 200 10m;
      proxy_ignore_headers Cache-Control Expires;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 30s;
      proxy_cache_lock_age 30s;
      proxy_cache_use_stale updating;
      proxy_buffers 64 64k;
    }
  }
}
EOF
}

write_vcl() {
  cat >"$W/default.vcl" <<EOF
vcl 4.1;
backend relay { .host = "127.0.0.1"; .port = "$P_RELAY"; }
sub vcl_backend_fetch {
  # the node answers requests marked X-Varnish with identity (it cannot trust Varnish's gunzip);
  # safe to remove here because http_gzip_support=off (see conf/varnish)
  unset bereq.http.X-Varnish;
}
sub vcl_backend_response {
  # keep what the origin sends for the whole comparison, as nginx does (proxy_cache_valid 10m)
  set beresp.ttl = 10m;
  set beresp.grace = 1h;
}
EOF
}

# The computed-answer mix as a wrk script: twelve POSTs built from the first PoPs of the 560-PoP
# map (their PIDs, and the first address of each one's first prefix), sent in turn.
write_answers_script() {
  local pids=() ips=() pid prefix i j body
  while read -r pid prefix; do
    pids+=("$pid"); ips+=("${prefix%.*}.1")
  done < <(awk -F'"' '/^"pop-/ { print $2, $6 }' "$W/maps/network-map.json" | head -40 | sed 's|/[0-9]*$||')
  {
    echo "-- generated by bench/compare.sh: a fixed mix of queries RProxy answers from the maps it holds"
    echo "local specs = {"
    for i in 0 1 2 3; do
      body="{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},\"pids\":{\"srcs\":[\"${pids[$i]}\"],\"dsts\":["
      for j in $(seq $((i + 4)) $((i + 13))); do body+="\"${pids[$j]}\","; done
      echo "  {\"/costmap/default-network-map/filtered\", \"application/alto-costmapfilter+json\", [==[${body%,}]}}]==]},"
    done
    for i in 0 1 2 3; do
      body="{\"cost-type\":{\"cost-mode\":\"ordinal\",\"cost-metric\":\"routingcost\"},\"endpoints\":{\"srcs\":[\"ipv4:${ips[$i]}\"],\"dsts\":["
      for j in $(seq $((i + 10)) $((i + 29))); do body+="\"ipv4:${ips[$j]}\","; done
      echo "  {\"/endpointcost\", \"application/alto-endpointcostparams+json\", [==[${body%,}]}}]==]},"
    done
    for i in 4 5; do
      body="<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"routingcost\"><srcendp name=\"ipv4:${ips[$i]}\"/>"
      for j in $(seq $((i + 1)) $((i + 10))); do body+="<dstendp name=\"ipv4:${ips[$j]}\"/>"; done
      echo "  {\"/cost/m?mode=ordinal\", \"application/xml\", [==[${body}</costquery></alto>]==]},"
    done
    for i in 6 7; do
      body="{\"properties\":[\"default-network-map.pid\"],\"endpoints\":["
      for j in $(seq "$i" $((i + 4))); do body+="\"ipv4:${ips[$j]}\","; done
      echo "  {\"/endpointprop\", \"application/alto-endpointpropparams+json\", [==[${body%,}]}]==]},"
    done
    echo "}"
    cat <<'EOF'
local requests = {}
function init(args)
  for i, s in ipairs(specs) do
    requests[i] = wrk.format("POST", s[1], { ["Content-Type"] = s[2] }, s[3])
  end
end
local n = 0
function request()
  n = n + 1
  return requests[(n - 1) % #requests + 1]
end
EOF
  } >"$W/answers.lua"
}

# Every query of the mix answered 200 by the RProxy on port $1 (else the mix would measure errors).
check_answers() {
  local port="$1" path ctype body code
  while IFS=$'\t' read -r path ctype body; do
    code="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Content-Type: $ctype" --data-binary "$body" \
        "http://127.0.0.1:$port$path")"
    [[ "$code" == "200" ]] || { log "answer mix: $path answered $code for $body"; exit 1; }
  done < <(sed -n 's/^  {"\([^"]*\)", "\([^"]*\)", \[==\[\(.*\)\]==\]},$/\1\t\2\t\3/p' "$W/answers.lua")
}

# wrk one (system, document) pair; appends a line to $W/results.tsv.
measure() {
  local sys="$1" pid="$2" port="$3" doc="$4" path="$5" gzip="$6" round="$7"
  local hdr=() out c0 c1
  [[ "$gzip" == "1" ]] && hdr=(-H "Accept-Encoding: gzip")
  [[ "$doc" == "answers" ]] && hdr=(-s "$W/answers.lua")
  out="$W/wrk-$doc-$sys-$round.txt"
  c0="$(cpu_seconds "$pid")"
  # wrk's own CPU (user + system): on loopback the client shares the cores, and what a server's
  # way of sending costs the client to receive decides requests/s as much as the server does
  /usr/bin/time -f '%U %S' -o "$out.cpu" \
      wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${hdr[@]}" "http://127.0.0.1:$port$path" >"$out" 2>&1 || true
  c1="$(cpu_seconds "$pid")"
  awk -v sys="$sys" -v doc="$doc" -v round="$round" -v cpu="$(awk -v a="$c0" -v b="$c1" 'BEGIN{print b-a}')" \
      -v client="$(awk 'END { print $1 + $2 }' "$out.cpu" 2>/dev/null || echo 0)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    function mb(v) { if (v ~ /GB$/) return v * 1024; if (v ~ /MB$/) return v + 0; if (v ~ /KB$/) return v / 1024; return v / 1048576 }
    /requests in/ { total = $1 }
    /Requests\/sec:/ { rps = $2 }
    /Transfer\/sec:/ { mbs = mb($2) }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) bad += $i + 0 }
    END { printf "%s\t%s\t%s\t%.0f\t%.1f\t%.3f\t%.3f\t%.2f\t%d\t%d\t%.2f\n", doc, sys, round, rps, mbs, p50, p99, cpu, total, bad + 0, client }
  ' "$out" >>"$W/results.tsv"
  tail -n1 "$W/results.tsv" | awk -F'\t' '{ printf "  %-8s %-12s round %s: %8s req/s %8s MB/s  p50 %7.2f ms  p99 %7.2f ms  cpu %6.2f s  wrk cpu %6.2f s  errors %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $11, $10 }' >&2
}

summarise() {
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
  echo "Tools: $(nginx -v 2>&1 | sed 's/.*: //'), $(varnishd -V 2>&1 | head -1 | sed -n 's/.*(\(varnish-[0-9.]*\).*/\1/p'), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); ${SECONDS_PER_RUN} s per run, $ROUNDS rounds alternating, $CONNECTIONS connections, $WRK_THREADS wrk threads, all on loopback"
  echo
  awk -F'\t' '
    { k = $1 SUBSEP $2; n[k]++; rps[k] += $4; mbs[k] += $5; p50[k] += $6; p99[k] += $7; cpu[k] += $8; tot[k] += $9; bad[k] += $10; wcpu[k] += $11
      if (!($1 in seen)) { seen[$1] = 1; docs[++nd] = $1 }
      if (!($2 in seens)) { seens[$2] = 1; syss[++ns] = $2 } }
    END {
      printf "| document | system | req/s | MB/s | p50 ms | p99 ms | req per server CPU-s | wrk CPU ms per req | wrk errors (timeouts) | RProxy / this |\n"
      printf "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
      for (d = 1; d <= nd; d++) {
        r = docs[d] SUBSEP "rproxy"
        for (s = 1; s <= ns; s++) {
          k = docs[d] SUBSEP syss[s]
          if (!(k in n)) continue
          ratio = (syss[s] == "rproxy" || rps[k] == 0) ? "—" : sprintf("%.2f", rps[r] / rps[k])
          per = cpu[k] > 0 ? sprintf("%.0f", tot[k] / cpu[k]) : "n/a"
          client = tot[k] > 0 ? sprintf("%.3f", 1000 * wcpu[k] / tot[k]) : "n/a"
          printf "| %s | %s | %.0f | %.1f | %.2f | %.2f | %s | %s | %d | %s |\n", docs[d], syss[s], rps[k] / n[k], mbs[k] / n[k],
            p50[k] / n[k], p99[k] / n[k], per, client, bad[k], ratio
        }
      }
      # RProxy over each anchor: requests/s, then requests per server CPU-second (the issue-13 goal:
      # >= 1.0 per CPU-second against nginx static, >= 1.0 in requests/s against the caches)
      printf "\nRProxy over each anchor, req/s ratio / req-per-CPU-second ratio (the answer mix: RProxy alone, per core):\n\n"
      printf "| document | RProxy | req/s | req per CPU-s | / nginx static | / nginx proxy_cache | / Varnish |\n"
      printf "|---|---|---:|---:|---:|---:|---:|\n"
      split("nginx-static nginx-cache varnish", anchors, " ")
      split("rproxy rproxy-base", mine, " ")
      for (d = 1; d <= nd; d++) {
        for (m = 1; m <= 2; m++) {
          r = docs[d] SUBSEP mine[m]
          if (!(r in n) || cpu[r] <= 0) continue
          line = sprintf("| %s | %s | %.0f | %.0f |", docs[d], mine[m], rps[r] / n[r], tot[r] / cpu[r])
          for (a = 1; a <= 3; a++) {
            k = docs[d] SUBSEP anchors[a]
            if (!(k in n) || rps[k] == 0 || cpu[k] <= 0 || tot[k] == 0) { line = line " — |"; continue }
            line = line sprintf(" %.2f / %.2f |", rps[r] / rps[k], (tot[r] / cpu[r]) / (tot[k] / cpu[k]))
          }
          print line
        }
      }
    }' "$W/results.tsv"
}

port_of() {
  case "$1" in
    nginx-static) echo "$P_STATIC" ;; nginx-cache) echo "$P_NGXCACHE" ;; varnish) echo "$P_VARNISH" ;;
    rproxy) echo "$P_RPROXY" ;; rproxy-base) echo "$P_BASE" ;; *) log "unknown system $1"; exit 2 ;;
  esac
}

main() {
  ensure_tools
  ensure_jars
  log "work folder $W"

  java -jar "$RPROXY_JAR" keygen --out "$W/keys" >/dev/null
  java -jar "$HARNESS_JAR" topology --pids 560 --prefixes-per-pid 10 --cost-types routingcost --no-ordinal \
      --seed 1 --out "$W/maps" >/dev/null
  # the medium document: a 140-PoP network map beside the 560-PoP one, under its own resource id
  java -jar "$HARNESS_JAR" topology --pids 140 --prefixes-per-pid 10 --cost-types routingcost --no-ordinal \
      --seed 1 --out "$W/maps-medium" >/dev/null
  sed 's/"resource-id":"default-network-map"/"resource-id":"medium-network-map"/' "$W/maps-medium/network-map.json" \
      >"$W/maps/medium-network-map.json"
  write_answers_script
  local nginx varnish rproxy
  start origin java -Xmx1g -jar "$RPROXY_JAR" origin --listen "127.0.0.1:$P_ORIGIN" --maps "$W/maps" --key "$W/keys/origin.key"
  wait_http "http://127.0.0.1:$P_ORIGIN/directory"
  start relay java -Xmx512m -jar "$HARNESS_JAR" relay --upstream "http://127.0.0.1:$P_ORIGIN" --port "$P_RELAY"
  wait_http "http://127.0.0.1:$P_RELAY/directory"

  # the same bytes as files for nginx static (gzip_static serves FILE.gz to clients that accept gzip)
  mkdir -p "$W/static/networkmap" "$W/static/costmap"
  for path in $DOC_PATHS; do
    curl -sf -o "$W/static$path" "http://127.0.0.1:$P_ORIGIN$path"
  done
  curl -sf -H 'Accept-Encoding: gzip' -o "$W/static/costmap/routingcost-map.gz" "http://127.0.0.1:$P_ORIGIN/costmap/routingcost-map"
  chmod -R a+rX "$W/static"
  log "documents: $(stat -c '%n %s' "$W/static/directory" "$W/static/networkmap/medium-network-map" "$W/static/networkmap/default-network-map" "$W/static/costmap/routingcost-map" "$W/static/costmap/routingcost-map.gz" | sed "s|$W/static||g" | tr '\n' ' ')"

  write_nginx_conf
  write_vcl
  start nginx nginx -p "$W" -c "$W/nginx.conf"
  nginx="$LAST_PID"
  # http_gzip_support=off: Varnish passes Accept-Encoding through and keeps both signed variants
  # (with it on, it would fetch the gzip variant and gunzip it per request for plain clients)
  wanted varnish && start varnish varnishd -F -a "127.0.0.1:$P_VARNISH" -f "$W/default.vcl" -n "$W/varnish" -s malloc,1g \
      -p thread_pool_min=200 -p timeout_idle=65 -p http_gzip_support=off
  varnish="$LAST_PID"
  # shellcheck disable=SC2086 # RPROXY_OPTS is a list of JVM options
  start rproxy java -Xmx1g $RPROXY_OPTS -jar "$RPROXY_JAR" proxy --listen "127.0.0.1:$P_RPROXY" \
      --upstream "http://127.0.0.1:$P_RELAY" --trust "$W/keys/origin.pub" --name bench $RPROXY_ARGS
  rproxy="$LAST_PID"
  base=""
  if wanted rproxy-base; then
    [[ -f "$BASELINE_JAR" ]] || { log "BASELINE_JAR $BASELINE_JAR not found"; exit 2; }
    # shellcheck disable=SC2086
    start rproxy-base java -Xmx1g ${BASELINE_OPTS-$RPROXY_OPTS} -jar "$BASELINE_JAR" proxy --listen "127.0.0.1:$P_BASE" \
        --upstream "http://127.0.0.1:$P_RELAY" --trust "$W/keys/origin.pub" --name bench-base $BASELINE_ARGS
    base="$LAST_PID"
  fi
  sleep 2
  local ports=()
  for sys in $SYSTEMS; do ports+=("$(port_of "$sys")"); done
  for port in "${ports[@]}"; do
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
  done

  local sys port before after
  [[ "$BURST" -gt 0 ]] && echo && echo "Cold-miss burst: $BURST simultaneous GETs of the cost map, each cache cold; upstream requests counted at the relay"
  for sys in $SYSTEMS; do
    [[ "$BURST" -gt 0 && "$sys" != "nginx-static" ]] || continue
    port="$(port_of "$sys")"
    before="$(relay_count)"
    local line
    line="$(java -jar "$HARNESS_JAR" burst --url "http://127.0.0.1:$port/costmap/routingcost-map" --concurrency "$BURST" || true)"
    sleep 1
    after="$(relay_count)"
    printf "  %-12s upstream requests %3d   %s\n" "$sys" "$((after - before))" "${line#*: }"
  done

  log "warming the caches"
  for port in "${ports[@]}"; do
    for path in $DOC_PATHS; do
      for _ in 1 2 3; do
        curl -s -o /dev/null "http://127.0.0.1:$port$path"
        curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$path"
      done
    done
  done

  log "warming up: ${WARMUP_SECONDS} s of wrk per system and document, ${JVM_WARMUP_SECONDS} s on the RProxies"
  local warm
  for port in "${ports[@]}"; do
    warm="$WARMUP_SECONDS"
    if [ "$port" = "$P_RPROXY" ] || [ "$port" = "$P_BASE" ]; then warm="$JVM_WARMUP_SECONDS"; fi
    for path in $DOC_PATHS; do
      wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${warm}s" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
    done
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${warm}s" -H 'Accept-Encoding: gzip' \
        "http://127.0.0.1:$port/costmap/routingcost-map" >/dev/null 2>&1 || true
  done

  if [[ " $DOCS " == *" answers "* ]]; then
    for sys in rproxy rproxy-base; do
      wanted "$sys" || continue
      port="$(port_of "$sys")"
      check_answers "$port"
      wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${JVM_WARMUP_SECONDS}s" -s "$W/answers.lua" "http://127.0.0.1:$port/" \
          >/dev/null 2>&1 || true
    done
  fi

  : >"$W/results.tsv"
  local doc path gz round pid
  for spec in "directory /directory 0" "medium /networkmap/medium-network-map 0" \
              "networkmap /networkmap/default-network-map 0" \
              "costmap /costmap/routingcost-map 0" "costmap.gz /costmap/routingcost-map 1" "answers / 0"; do
    read -r doc path gz <<<"$spec"
    [[ " $DOCS " == *" $doc "* ]] || continue
    for round in $(seq "$ROUNDS"); do
      # odd rounds in the order given, even rounds reversed (A B C, C B A, ...): with one fixed
      # order the system measured first in every round trailed by up to 13% whichever jar it was
      local order="$SYSTEMS"
      (( round % 2 == 0 )) && order="$(tr ' ' '\n' <<<"$SYSTEMS" | tac | tr '\n' ' ')"
      for sys in $order; do
        [[ "$doc" != "answers" || "$sys" == rproxy* ]] || continue
        case "$sys" in
          nginx-static|nginx-cache) pid="$nginx" ;; varnish) pid="$varnish" ;; rproxy) pid="$rproxy" ;; rproxy-base) pid="$base" ;;
        esac
        measure "$sys" "$pid" "$(port_of "$sys")" "$doc" "$path" "$gz" "$round"
      done
    done
  done
  summarise
}

main "$@"
