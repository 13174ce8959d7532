#!/usr/bin/env bash
# End-to-end throughput of `trickle run` on the SPEC §12 workloads, against jq and jaq.
#
#   cargo build --release
#   cargo run --release --example gen_events > /tmp/events.jsonl     # 1M events, seed 42
#   examples/bench/run.sh [EVENTS_FILE] [RUNS] [WORKLOADS]
#
# Runs alternate between the tools (trickle, jq, jaq, trickle, ...) so load on a shared
# machine hits them alike; each line reports the median wall time, events/s and the
# median peak RSS (from /usr/bin/time). jq/jaq run only where an equivalent filter is
# listed below; jaq is skipped when it is not installed. WORKLOADS defaults to "W1 W2 W3 W4 W5".
# Outputs go to OUT (default /dev/null, as W1's output is as big as its input); set
# OUT=/some/file to write a real file, whose line count is then reported too.
set -euo pipefail

EVENTS=${1:-/tmp/events.jsonl}
RUNS=${2:-5}
WORKLOADS=${3:-W1 W2 W3 W4 W5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TRICKLE=${TRICKLE:-$ROOT/target/release/trickle}
# Set TOOLS=trickle to skip jq and jaq. Set BASE=/path/to/an/older/trickle to measure
# it too (as tool "base", alternating with the others) for before/after numbers.
TOOLS=${TOOLS:-trickle jq jaq}
BASE=${BASE:-}
OUT=${OUT:-/dev/null}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N=$(wc -l < "$EVENTS")

declare -A Q JQ
Q[W1]='select event from in into out;'
Q[W2]='select {"g": event.g, "c2": event.c * 2, "host": event.host} from in where event.c > 500 into out;'
W3_SELECT='{"g": group[0], "n": aggr::stats::count(), "s": aggr::stats::sum(event.c), "m": aggr::stats::mean(event.v)'
Q[W3]="define window w from tumbling with size = 1000 end;
select $W3_SELECT} from in[w] group by set(event.g) into out;"
Q[W4]="define window w from tumbling with size = 1000 end;
select $W3_SELECT, \"p\": aggr::stats::hdr(event.c, [\"0.5\", \"0.99\"])} from in[w] group by set(event.g) into out;"
Q[W5]='select match event of case %{ c > 900 } => "hi" case %{ c > 100 } => "mid" case _ => "lo" end from in into out;'
JQ[W1]='.'
JQ[W2]='select(.c > 500) | {g, c2: (.c * 2), host}'
# A tumbling window of 1000 events per group, as trickle keeps one window per group.
JQ[W3]='foreach inputs as $e ({s: {}, o: null};
  $e.g as $g
  | .s[$g] = ((.s[$g] // {n: 0, s: 0, v: 0}) | .n += 1 | .s += $e.c | .v += $e.v)
  | if .s[$g].n == 1000
    then .o = {g: $g, n: .s[$g].n, s: .s[$g].s, m: (.s[$g].v / .s[$g].n)} | .s[$g] = null
    else .o = null end;
  .o // empty)'
JQ[W5]='if .c > 900 then "hi" elif .c > 100 then "mid" else "lo" end'

# measure NAME STDIN STDOUT CMD... : appends "seconds kb" to $TMP/NAME.
measure() {
  local name=$1 in=$2 out=$3
  shift 3
  /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" < "$in" > "$out"
  cat "$TMP/time" >> "$TMP/$name.times"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

printf '%-4s %-8s %9s %12s %9s %8s %11s\n' id tool median_s events/s rss_mb outputs x_jaq
for w in $WORKLOADS; do
  printf '%s\n' "${Q[$w]}" > "$TMP/$w.trickle"
  tools=(trickle)
  [[ -n $BASE ]] && tools+=(base)
  if [[ -n "${JQ[$w]:-}" ]]; then
    [[ $TOOLS == *jq* ]] && tools+=(jq)
    [[ $TOOLS == *jaq* ]] && command -v jaq > /dev/null && tools+=(jaq)
  fi
  for ((r = 0; r < RUNS; r++)); do
    for t in "${tools[@]}"; do
      case $t in
        trickle | base)
          bin=$TRICKLE
          [[ $t == base ]] && bin=$BASE
          measure "$w.$t" /dev/null /dev/null \
            "$bin" run "$TMP/$w.trickle" -i "$EVENTS" -o "$OUT"
          ;;
        *)
          flags=(-c)
          [[ $w == W3 ]] && flags=(-nc)
          measure "$w.$t" "$EVENTS" "$OUT" "$t" "${flags[@]}" "${JQ[$w]}"
          ;;
      esac
    done
  done
  # W4 has no jq/jaq filter of its own: it is compared with jaq's W3.
  jaq_s=""
  for j in "$w" W3; do
    if [[ -f $TMP/$j.jaq.times ]]; then
      jaq_s=$(cut -d' ' -f1 "$TMP/$j.jaq.times" | median)
      break
    fi
  done
  for t in "${tools[@]}"; do
    s=$(cut -d' ' -f1 "$TMP/$w.$t.times" | median)
    kb=$(cut -d' ' -f2 "$TMP/$w.$t.times" | median)
    outs=$(if [[ -f $OUT ]]; then wc -l < "$OUT"; else echo 0; fi)
    ratio=-
    [[ -n $jaq_s ]] && ratio=$(printf '%.1f' "$(echo "$jaq_s / $s" | bc -l)")
    printf '%-4s %-8s %9.2f %12.0f %9.1f %8d %11s\n' "$w" "$t" "$s" "$(echo "$N / $s" | bc -l)" \
      "$(echo "$kb / 1024" | bc -l)" "$outs" "$ratio"
  done
done
