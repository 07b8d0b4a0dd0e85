#!/usr/bin/env bash
# PXE benchmark: OpenDPM's proxyDHCP responder (PxeServer -> PxeResponder -> BootService -> a BIOS boot protocol
# that generates a pxelinux config per MAC, no inventory) vs dnsmasq in proxyDHCP mode, both answering the same
# load generator (PxeLoadMain: N concurrent simulated BIOS PXE clients, distinct MACs and UUIDs, each sending a
# DISCOVER and waiting for its OFFER). Reports answers per second and DISCOVER->OFFER latency p50/p99.
#
# Usage:   bench/pxe/run.sh [CLIENT_COUNTS] [SECONDS] [RUNS]    (defaults: "1 16 64", 5 s, 3 runs)
# Needs:   root (a network namespace), the Debian package dnsmasq-base, iproute2; the parent poms installed once:
#          mvn -q -N install && mvn -q -N -f bundles/pom.xml install
# Network: everything runs inside a network namespace this script creates with only its loopback up; proxyDHCP
#          OFFERs are broadcast (to 255.255.255.255, as to real firmware), which therefore never leave it.
#          Servers listen on 127.0.0.1 (alternate ports: dnsmasq --dhcp-alternate-port, ours a plain port).
# Logging: our server logs at WARN (slf4j-simple); the distribution logs one INFO line per boot decision.
# Output:  a table on stdout, appended with the date and command to bench/RESULTS.md (section PXE).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MOD="$REPO/bundles/org.opendpm.netboot"
COUNTS=${1:-"1 16 64"}
SECONDS_PER_RUN=${2:-5}
RUNS=${3:-3}
COMMAND="bench/pxe/run.sh${*:+ $*}"

for bin in dnsmasq ip java mvn; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install -y dnsmasq-base iproute2)" >&2; exit 1; }
done

NS="pxebench-$$"
WORK=$(mktemp -d /tmp/pxe-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building the module's classes"
mvn -q -f "$MOD/pom.xml" -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
CP="$MOD/target/classes:$MOD/target/test-classes:$(cat "$WORK/cp.txt")"

ip netns add "$NS"
ip -n "$NS" link set lo up
# A route for the limited broadcast: without one the kernel refuses to send to 255.255.255.255.
ip -n "$NS" route add default dev lo
IN=(ip netns exec "$NS")

OURS=16777; OURS_ANSWER=16778
DNSMASQ=16767; DNSMASQ_ANSWER=16768
"${IN[@]}" java -Xms256m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
  org.opendpm.netboot.internal.PxeBenchServerMain "$OURS" "$OURS_ANSWER" > "$WORK/ours.log" 2>&1 &
PIDS+=($!)
"${IN[@]}" dnsmasq --no-daemon --port=0 --interface=lo --bind-interfaces --user=root \
  --pid-file="$WORK/dnsmasq.pid" --dhcp-range=127.0.0.0,proxy,255.0.0.0 \
  --dhcp-alternate-port="$DNSMASQ,$DNSMASQ_ANSWER" --pxe-service=x86PC,"Boot",pxelinux \
  > "$WORK/dnsmasq.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do grep -q "listening on" "$WORK/ours.log" && break; sleep 0.1; done
grep -q "listening on" "$WORK/ours.log" || { cat "$WORK/ours.log"; exit 1; }
echo "== ours on 127.0.0.1:$OURS, dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}') on 127.0.0.1:$DNSMASQ, namespace $NS, $(nproc) cores"

# One measurement: prints "answers_per_second p50_us p99_us lost wrong".
measure() {
  local line
  line=$("${IN[@]}" java -cp "$CP" org.opendpm.netboot.internal.pxe.PxeLoadMain "$1" "$2" "$3" "$SECONDS_PER_RUN" 2)
  echo "$line" | sed -E 's/.*answers=([0-9]+) lost=([0-9]+) wrong=([0-9]+) per_second=([0-9]+) p50_us=([0-9]+) p99_us=([0-9]+).*/\4 \5 \6 \2 \3/'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

TABLE="| clients | ours answers/s | dnsmasq answers/s | ours/dnsmasq | ours p50 / p99 µs | dnsmasq p50 / p99 µs | lost (ours, dnsmasq) |
| --- | --- | --- | --- | --- | --- | --- |"
for n in $COUNTS; do
  : > "$WORK/o"; : > "$WORK/d"
  for r in $(seq 1 "$RUNS"); do
    measure "$OURS" "$OURS_ANSWER" "$n" >> "$WORK/o"
    measure "$DNSMASQ" "$DNSMASQ_ANSWER" "$n" >> "$WORK/d"
  done
  cat "$WORK/o" "$WORK/d" | sed "s/^/  $n clients: /"
  ORPS=$(cut -d' ' -f1 "$WORK/o" | median); DRPS=$(cut -d' ' -f1 "$WORK/d" | median)
  OP50=$(cut -d' ' -f2 "$WORK/o" | median); OP99=$(cut -d' ' -f3 "$WORK/o" | median)
  DP50=$(cut -d' ' -f2 "$WORK/d" | median); DP99=$(cut -d' ' -f3 "$WORK/d" | median)
  OLOST=$(awk '{s+=$4} END {print s}' "$WORK/o"); DLOST=$(awk '{s+=$4} END {print s}' "$WORK/d")
  OWRONG=$(awk '{s+=$5} END {print s}' "$WORK/o"); DWRONG=$(awk '{s+=$5} END {print s}' "$WORK/d")
  [ "$OWRONG" = 0 ] && [ "$DWRONG" = 0 ] || { echo "answers that were not OFFERs: ours $OWRONG, dnsmasq $DWRONG" >&2; exit 1; }
  RATIO=$(awk -v a="$ORPS" -v b="$DRPS" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
  TABLE="$TABLE
| $n | $ORPS | $DRPS | ${RATIO}× | $OP50 / $OP99 | $DP50 / $DP99 | $OLOST, $DLOST |"
done
echo "$TABLE"

RESULTS="$REPO/bench/RESULTS.md"
grep -q '^## PXE' "$RESULTS" 2>/dev/null || printf '\n## PXE\n' >> "$RESULTS"
{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ) — \`$COMMAND\` ($(nproc) cores; medians of $RUNS runs of ${SECONDS_PER_RUN} s after 2 s warm-up each)"
  echo
  echo "$TABLE"
} >> "$RESULTS"
