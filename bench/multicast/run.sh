#!/usr/bin/env bash
# Multicast restore benchmark: OpenDPM's multicast data plane (MulticastSender in bundles/org.opendpm.transfer, the
# agent's MulticastReceiver) against udpcast (udp-sender / udp-receiver) on the same bytes, in the same network
# namespaces, in the same run (docs/multicast.md; issue 11).
#
# Usage:   bench/multicast/run.sh [SIZE_MIB] [RUNS] [SCALING]   (defaults: 256 MiB, 3 runs, "1 2 4 8 16")
#          An empty SCALING ("") skips the scaling table. MVN_ARGS="-o -Dmaven.repo.local=..." passes options to Maven; OUT=DIR where receivers write (default
#          /dev/shm: both tools then write to memory, so neither waits for this machine's disk).
# Needs:   root (ip netns), java, mvn, iproute2, nftables, udpcast, GNU time; the modules installed once
#          (mvn -q install -DskipTests -pl bundles/org.opendpm.agent,bundles/org.opendpm.transfer -am).
# Bed:     bench/multicast/netns.sh: a bridge namespace (mcast_snooping 0), a sender namespace and one namespace per
#          receiver, on veth pairs; the host's network is not touched. Loss: nftables in every receiver namespace
#          drops 5 % of arriving UDP (`numgen random mod 100 < 5 drop`; this kernel has no netem).
# Data:    SIZE_MIB of random bytes (incompressible: our image stores them as they are, 4 MiB chunks).
# Cases:   ours:    MulticastSend send (the server's MulticastSender, default rate ceiling 120 MB/s) in the sender
#                   namespace, MulticastReceive (the agent's receiver, every chunk checked: CRC-32C, zstd, SHA-256,
#                   written with O_DIRECT) in each receiver namespace;
#          udpcast: `udp-sender --interface eth0 --min-receivers N --rexmit-hello-interval 100 --nokbd --file RAW`
#                   (the hello repeated: a receiver that starts before the sender finds it) and
#                   `udp-receiver --interface eth0 --nokbd --file OUT` in the same namespaces.
#          Wall time: from starting the sender until the last receiver exits (JVM starts included); CPU: user +
#          system of the sender process, and of all receivers summed (all share this machine's cores, which real
#          receivers do not). Median of RUNS, the two tools alternating which goes first. Every
#          receiver's file is checked by SHA-256 against the data (a mismatch aborts).
# Targets: ours <= 1.0x udpcast's wall time for 8 receivers, with and without loss.
# Output:  tables on stdout, appended with the date, command and load average to bench/RESULTS.md ("Multicast").
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MOD="$REPO/bundles/org.opendpm.transfer"
SIZE=${1:-256}
RUNS=${2:-3}
SCALING=${3-1 2 4 8 16}
COMMAND="bench/multicast/run.sh $*"
MVN_ARGS=${MVN_ARGS:-}
OUT=${OUT:-/dev/shm}

[ "$(id -u)" = 0 ] || { echo "needs root (ip netns)" >&2; exit 1; }
for bin in java mvn ip nft udp-sender udp-receiver sha256sum /usr/bin/time; do
  command -v "$bin" >/dev/null || { echo "missing $bin" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/multicast-bench.XXXXXX)
DISKS=$(mktemp -d "$OUT/multicast-bench.XXXXXX")
# shellcheck source=netns.sh
source "$HERE/netns.sh"
cleanup() {
  ns_down
  rm -rf "$WORK" "$DISKS"
}
trap cleanup EXIT

echo "== building the transfer module's test classes"
# shellcheck disable=SC2086
mvn -q $MVN_ARGS -f "$MOD/pom.xml" test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
CP="$MOD/target/test-classes:$MOD/target/classes:$(cat "$WORK/cp.txt")"

RAW="$WORK/data.raw"
IMG="$WORK/data.img"
echo "== ${SIZE} MiB of random data, and its image"
head -c $((SIZE << 20)) /dev/urandom > "$RAW"
java -cp "$CP" org.opendpm.transfer.internal.multicast.MulticastSend image "$RAW" "$IMG"
SUM=$(sha256sum < "$RAW" | cut -d' ' -f1)

MAX=0
for n in 8 $SCALING; do ((n > MAX)) && MAX=$n; done
echo "== test bed: 1 sender, $MAX receiver namespaces"
ns_up "$MAX"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

check_all() { # N TOOL
  local i got
  for ((i = 1; i <= $1; i++)); do
    got=$(sha256sum < "$DISKS/out$i" | cut -d' ' -f1)
    [[ "$got" == "$SUM" ]] || { echo "MISMATCH: $2 receiver $i wrote $got, data $SUM" >&2; exit 1; }
  done
}

# result T0 T1 N: prints "WALL:SENDER_CPU:RECEIVERS_CPU" (CPU: user + system; receivers summed).
result() {
  local rc
  rc=$(for ((i = 1; i <= $3; i++)); do cat "$WORK/rtime$i"; done | awk '{s += $1 + $2} END {printf "%.2f", s}')
  awk -v w="$(echo "$2 - $1" | bc)" -v r="$rc" '{printf "%.3f:%.2f:%s", w, $1 + $2, r}' "$WORK/stime"
}

# ours N: prints "WALL:SENDER_CPU:RECEIVERS_CPU".
ours() {
  local n=$1 i session=$((RANDOM * 32768 + RANDOM + 1)) pids=() t0 t1
  rm -f "$DISKS"/out* "$WORK/ctl" "$WORK/figures"
  sync
  mkfifo "$WORK/ctl"
  t0=$(date +%s.%N)
  ip netns exec "$NS-s" /usr/bin/time -f "%U %S" -o "$WORK/stime" java -cp "$CP" \
    org.opendpm.transfer.internal.multicast.MulticastSend send --image "$IMG" --session "$session" \
    --group 239.255.26.7 --port 26530 --iface eth0 --members "$n" < "$WORK/ctl" > "$WORK/sender.log" 2>&1 &
  local sender=$!
  exec 3> "$WORK/ctl"
  for ((i = 1; i <= n; i++)); do
    # The Deploy-OS's JVM options for the agent (deployos/src/main/initramfs/init).
    timeout 300 ip netns exec "$NS-r$i" /usr/bin/time -f "%U %S" -o "$WORK/rtime$i" java -XX:+UseSerialGC \
      -XX:-UsePerfData \
      -Xmx160m -cp "$CP" org.opendpm.agent.MulticastReceive --image "$IMG" \
      --session "$session" --member "$i" --group 239.255.26.7 --port 26530 --iface eth0 \
      --disk "1=$DISKS/out$i" --silence 30 > "$WORK/r$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "ours: receiver $((i + 1)) failed: $(cat "$WORK/r$((i + 1)).log")" >&2; exit 1; }
  done
  t1=$(date +%s.%N)
  exec 3>&-
  wait "$sender"
  grep -q "failure=null" "$WORK/sender.log" || { echo "ours: sender: $(cat "$WORK/sender.log")" >&2; exit 1; }
  check_all "$n" ours
  figures "$n"
  result "$t0" "$t1" "$n"
}

# figures N: the sender's figures line and the receivers' figures summed (docs/multicast.md, "Figures"), to stderr
# and to $WORK/figures (the report shows the last case's).
figures() {
  {
    echo "     sender: $(grep '^figures ' "$WORK/sender.log" | cut -d' ' -f2-)"
    echo "     receivers (sum of $1): $(for ((i = 1; i <= $1; i++)); do grep '^done ' "$WORK/r$i.log"; done | awk '
      { for (f = 2; f <= NF; f++) { split($f, kv, "="); if (!(kv[1] in sum)) order[++k] = kv[1]
          n = split(kv[2], v, "/"); sum[kv[1]] += v[1]; if (n > 1) { two[kv[1]] = 1; sum2[kv[1]] += v[2] } } }
      END { for (j = 1; j <= k; j++) { key = order[j]; if (key == "seconds" || key == "rcvbuf") continue
          printf "%s=%s%s ", key, sum[key], (key in two) ? "/" sum2[key] : "" } }')"
  } | tee -a "$WORK/figures" >&2
}

# udpcast N: prints "WALL:SENDER_CPU:RECEIVERS_CPU".
udpcast() {
  local n=$1 i pids=() t0 t1
  rm -f "$DISKS"/out*
  sync
  t0=$(date +%s.%N)
  ip netns exec "$NS-s" /usr/bin/time -f "%U %S" -o "$WORK/stime" udp-sender --interface eth0 \
    --min-receivers "$n" --rexmit-hello-interval 100 --nokbd --file "$RAW" > "$WORK/sender.log" 2>&1 &
  local sender=$!
  for ((i = 1; i <= n; i++)); do
    timeout 300 ip netns exec "$NS-r$i" /usr/bin/time -f "%U %S" -o "$WORK/rtime$i" udp-receiver --interface eth0 \
      --nokbd \
      --file "$DISKS/out$i" \
      > "$WORK/r$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "udpcast: receiver $((i + 1)) failed: $(cat "$WORK/r$((i + 1)).log")" >&2; exit 1; }
  done
  t1=$(date +%s.%N)
  wait "$sender" || { echo "udpcast: sender failed: $(cat "$WORK/sender.log")" >&2; exit 1; }
  check_all "$n" udpcast
  result "$t0" "$t1" "$n"
}

# udpcast_run N: udpcast N, once more when a udp-receiver exits with an error (under 5 % loss on this machine it
# sometimes does, its log naming nothing); the retry is reported and counted in the report.
udpcast_run() {
  if (udpcast "$1"); then return; fi
  echo "   udpcast failed; retried once" >&2
  echo retry >> "$WORK/udpcast-retries"
  udpcast "$1"
}

median() { # FIELD VALUES...
  local f=$1
  shift
  printf '%s\n' "$@" | cut -d: -f"$f" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# compare N LOSS RUNS: sets O and U to the lists of ours' and udpcast's WALL:CPU values, and R to the ratios.
compare() {
  local n=$1 loss=$2 runs=$3 r o u
  O=() U=() R=()
  ns_loss "$loss"
  for ((r = 1; r <= runs; r++)); do
    if ((r % 2)); then o=$(ours "$n"); u=$(udpcast_run "$n"); else u=$(udpcast_run "$n"); o=$(ours "$n"); fi
    O+=("$o") U+=("$u")
    R+=("$(echo "scale=2; ${o%%:*} / ${u%%:*}" | bc)")
    echo "   N=$n loss=$loss% run $r: ours ${o%%:*} s (sender, receivers CPU-s: $(echo "$o" | cut -d: -f2-)), udpcast ${u%%:*} s ($(echo "$u" | cut -d: -f2-))" >&2
  done
  ns_loss 0
}

TABLE1="| case (${SIZE} MiB, 8 receivers) | ours wall s | udpcast wall s | ours / udpcast (median of runs) | ratio per run | ours sender + receivers CPU-s | udpcast sender + receivers CPU-s |
| --- | ---: | ---: | ---: | --- | ---: | ---: |"
for loss in 0 5; do
  echo "== 8 receivers, ${loss} % loss, $RUNS runs"
  compare 8 "$loss" "$RUNS"
  ratios=$(printf '%s\n' "${R[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  TABLE1+="
| ${loss} % loss on every receiver | $(median 1 "${O[@]}") | $(median 1 "${U[@]}") | ${ratios}x | $(printf '%sx ' "${R[@]}") | $(median 2 "${O[@]}") + $(median 3 "${O[@]}") | $(median 2 "${U[@]}") + $(median 3 "${U[@]}") |"
done

TABLE2="| receivers | ours wall s | ours sender CPU-s | per receiver | udpcast wall s | udpcast sender CPU-s | per receiver | ours / udpcast wall |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $SCALING; do
  echo "== scaling: $n receivers"
  compare "$n" 0 1
  oc=$(median 2 "${O[@]}") uc=$(median 2 "${U[@]}")
  TABLE2+="
| $n | $(median 1 "${O[@]}") | $oc | $(echo "scale=3; $oc / $n" | bc) | $(median 1 "${U[@]}") | $uc | $(echo "scale=3; $uc / $n" | bc) | ${R[0]}x |"
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
REPORT="### $(date -u '+%Y-%m-%d %H:%M') UTC — \`$COMMAND\`

Machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1); udpcast $(dpkg-query -W -f '${Version}' udpcast 2>/dev/null || echo '?'); load average before $LOAD_BEFORE, after $LOAD_AFTER.
Receivers write to $OUT (tmpfs). All transfers verified by SHA-256 on every receiver. udpcast runs retried after a failed udp-receiver: $(if [ -f "$WORK/udpcast-retries" ]; then wc -l < "$WORK/udpcast-retries"; else echo 0; fi).

$TABLE1

$TABLE2
"
echo
echo "$REPORT"
if ! grep -q '^## Multicast' "$REPO/bench/RESULTS.md"; then
  printf '\n## Multicast\n\nOpenDPM multicast (MulticastSender / the agent'"'"'s MulticastReceiver) against udpcast, 8 receivers in network namespaces (bench/multicast/run.sh).\n' >> "$REPO/bench/RESULTS.md"
fi
printf '\n%s\n' "$REPORT" >> "$REPO/bench/RESULTS.md"
