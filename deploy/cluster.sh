#!/usr/bin/env bash
# Several CometTicker nodes behind HAProxy on one machine, for trying it out:
# the local PostgreSQL (`ticker db start`), N nodes `ticker serve --workers 1`
# on 127.0.0.2:8080, 127.0.0.3:8080, ... (Linux routes all of 127/8 to lo),
# and HAProxy on 127.0.0.1:8090 in front (deploy/haproxy.cfg, its `server`
# lines replaced). Ctrl-C or SIGTERM stops the nodes and HAProxy (the database
# keeps running: `ticker db stop`).
#
#   deploy/cluster.sh [--nodes 3] [--port 8090]     # needs `ticker` on PATH or a built checkout
#   kill -TERM <node pid>   # drain a node and watch its clients resume on the others
#   (restart it by hand: ticker serve --workers 1 --host 127.0.0.K --port 8080)
set -euo pipefail
nodes=3
front=8090
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --port) front="$2"; shift 2 ;;
    *) echo "cluster.sh: unknown option $1 (--nodes N, --port P)" >&2; exit 64 ;;
  esac
done
here="$(cd "$(dirname "$0")" && pwd)"
ticker="$(command -v ticker || true)"
for b in "$here/../.build/release/ticker" "$here/../.build/debug/ticker"; do
  [ -n "$ticker" ] || { [ -x "$b" ] && ticker="$b"; } || true
done
[ -n "$ticker" ] || { echo "cluster.sh: no ticker executable (swift build first, or put it on PATH)" >&2; exit 1; }
command -v haproxy >/dev/null || { echo "cluster.sh: haproxy is not installed (bin/setup --with-test-tools, or apt install haproxy)" >&2; exit 1; }

"$ticker" db start
run="$(mktemp -d /tmp/ticker-cluster.XXXXXX)"
pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping ${#pids[@]} processes"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run"
}
trap stop INT TERM EXIT

servers=""
for k in $(seq 1 "$nodes"); do
  host="127.0.0.$((k + 1))"
  "$ticker" serve --workers 1 --host "$host" --port 8080 >"$run/node$k.log" 2>&1 &
  pids+=($!)
  echo "node$k: $host:8080 pid $! (log $run/node$k.log)"
  servers+="    server node$k $host:8080"$'\n'
done
# The config with this run's nodes and front port.
awk -v servers="$servers" -v front="$front" '
  /^    server node[0-9]+ / { if (!done) { printf "%s", servers; done = 1 }; next }
  /^    bind 127\.0\.0\.1:/ { print "    bind 127.0.0.1:" front; next }
  { print }' "$here/haproxy.cfg" >"$run/haproxy.cfg"
haproxy -c -q -f "$run/haproxy.cfg"
haproxy -f "$run/haproxy.cfg" -db >"$run/haproxy.log" 2>&1 &
hapid=$!
pids+=($hapid)
echo "haproxy: http://127.0.0.1:$front/ pid $! (stats: none; health per node: curl 127.0.0.K:8080/health)"
echo "feed it from another terminal: ticker feed --simulate; Ctrl-C here stops the nodes and haproxy"
# Nodes may be killed and restarted by hand meanwhile; the cluster ends with HAProxy.
wait "$hapid" || true
echo "haproxy ended; stopping the nodes"
