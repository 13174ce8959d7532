#!/usr/bin/env bash
# The peer path against the file path: the same JSON-lines file sent over one
# loopback TCP connection into a `tcp_server` peer that writes to a `file` peer,
# against `trickle run Q -i FILE -o OUT`, for W1 and W3, alternating, medians.
#
#   cargo build --release
#   cargo run --release --example gen_events > /tmp/events.jsonl     # 1M events, seed 42
#   examples/bench/tcp.sh [EVENTS_FILE] [RUNS] [WORKLOADS]
#
# A server never ends by itself, so the peer path's time runs from the connection's
# start until the output holds what the file path wrote without the final drain
# (every complete window; for W1 every event); then the run is stopped with SIGINT.
# One client process (tcp_feed.py) sends the file with `sendfile` and waits by
# comparing file sizes: a `cat` and a `stat` process per poll would take CPU from
# the run on a small machine, which the file path's run does not pay.
# Prints median seconds, events/s and the peer path's share of the file path's events/s.
set -euo pipefail

EVENTS=${1:-/tmp/events.jsonl}
RUNS=${2:-5}
WORKLOADS=${3:-W1 W3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TRICKLE=${TRICKLE:-$ROOT/target/release/trickle}
TMP=$(mktemp -d)
SERVER=
cleanup() {
  [[ -n $SERVER ]] && kill "$SERVER" 2> /dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
N=$(wc -l < "$EVENTS")

declare -A SEL FROM
SEL[W1]='event'
FROM[W1]=''
SEL[W3]='{"g": group[0], "n": aggr::stats::count(), "s": aggr::stats::sum(event.c), "m": aggr::stats::mean(event.v)}'
FROM[W3]='[w] group by set(event.g)'
WINDOW='define window w from tumbling with size = 1000 end;'

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
size() { if [[ -f $1 ]]; then stat -c %s "$1"; else echo 0; fi; }

# Waits (bounded) until `cond` holds, polling every 20 ms.
wait_for() {
  local limit=$1
  shift
  for ((i = 0; i < limit * 50; i++)); do
    if "$@"; then return 0; fi
    sleep 0.02
  done
  echo "timed out waiting for: $*" >&2
  return 1
}
listening() { ss -ltn "sport = :$1" | grep -q LISTEN; }

printf '%-4s %-6s %9s %12s %8s\n' id path median_s events/s share
for w in $WORKLOADS; do
  printf '%s\nselect %s from in%s into out;\n' "$WINDOW" "${SEL[$w]}" "${FROM[$w]}" > "$TMP/file.trickle"
  # What the peer path must have written: the file path's output without the drain.
  "$TRICKLE" run "$TMP/file.trickle" -i "$EVENTS" -o "$TMP/expect" --no-final-flush --quiet
  want=$(size "$TMP/expect")
  for ((r = 0; r < RUNS; r++)); do
    start=$(now)
    "$TRICKLE" run "$TMP/file.trickle" -i "$EVENTS" -o "$TMP/out.file" --quiet
    echo "$(now) - $start" | bc -l >> "$TMP/$w.file"

    port=$(free_port)
    rm -f "$TMP/out.peer"
    cat > "$TMP/peer.trickle" << EOF
$WINDOW
define peer up from tcp_server with config = {"port": $port} end;
define peer down from file with config = {"path": "$TMP/out.peer", "mode": "write"} end;
create peer up;
create peer down;
select ${SEL[$w]} from up${FROM[$w]} into down;
EOF
    "$TRICKLE" run "$TMP/peer.trickle" --quiet &
    SERVER=$!
    wait_for 30 listening "$port"
    python3 "$ROOT/examples/bench/tcp_feed.py" "$port" "$EVENTS" "$TMP/out.peer" "$want" >> "$TMP/$w.peer"
    kill -INT "$SERVER"
    wait "$SERVER" || true
    SERVER=
    # The same bytes as the file path's, or the comparison means nothing.
    if ! cmp -s -n "$want" "$TMP/expect" "$TMP/out.peer"; then
      echo "$w: the peer path wrote other bytes than the file path" >&2
      exit 1
    fi
  done
  file_s=$(median < "$TMP/$w.file")
  peer_s=$(median < "$TMP/$w.peer")
  printf '%-4s %-6s %9.2f %12.0f %8s\n' "$w" file "$file_s" "$(echo "$N / $file_s" | bc -l)" -
  printf '%-4s %-6s %9.2f %12.0f %8.2f\n' "$w" peer "$peer_s" "$(echo "$N / $peer_s" | bc -l)" \
    "$(echo "$file_s / $peer_s" | bc -l)"
done
