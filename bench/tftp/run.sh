#!/usr/bin/env bash
# TFTP benchmark: OpenDPM's Netty TFTP server vs tftpd-hpa on the same files, measured with the
# same clients (curl, atftp) on 127.0.0.1 only. Every transfer is checked by SHA-256.
#
# Usage:   bench/tftp/run.sh [CLIENTS] [RUNS]      (defaults: 1000 concurrent clients, 3 runs)
# Needs:   the Debian packages curl atftp tftpd-hpa; root (in.tftpd chroots with -s and drops
#          to the "tftp" user); the parent poms installed once:
#          mvn -q -N install && mvn -q -N -f bundles/pom.xml install
# Builds:  only the module's classes and test classes (mvn -DskipTests test-compile); our server
#          runs from them with `java -cp target/classes:target/test-classes:<deps>
#          org.opendpm.netboot.internal.tftp.TftpServerMain ROOT PORT`.
# Pinning: lock-step loopback transfers are dominated by wake-up latency, and on a 2-core VM it
#          swings 3x from run to run with where the scheduler puts client and server. For the
#          single-file cases both servers run on CPU 1 and the clients on CPU 0 (like two hosts:
#          every packet crosses cores); for the many-clients case everything uses all cores.
# Many clients: all CLIENTS atftp processes are started first and held on a shared file lock
#          (flock); the clock starts when the lock is released, so every client really asks at
#          once and the time bash needs to fork 1000 processes (which depends on how much CPU
#          the server under test leaves it) is not measured. Both servers first get one
#          unmeasured round of 200 such clients (our JIT, both servers' page cache); then the
#          case runs RUNS times, ours and tftpd-hpa alternating; median and range are reported.
# Output:  a table on stdout, appended with the date and command to bench/RESULTS.md (section TFTP).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MOD="$REPO/bundles/org.opendpm.netboot"
CLIENTS=${1:-1000}
RUNS=${2:-3}
COMMAND="bench/tftp/run.sh $*"

for bin in curl atftp in.tftpd sha256sum ss taskset flock java mvn; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install -y curl atftp tftpd-hpa)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/tftp-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building the module's classes"
mvn -q -f "$MOD/pom.xml" -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
CP="$MOD/target/classes:$MOD/target/test-classes:$(cat "$WORK/cp.txt")"

ROOT="$WORK/root"
OUT="$WORK/out"
mkdir -p "$ROOT" "$OUT"
chmod 755 "$WORK" "$ROOT"
head -c $((64 << 20)) /dev/urandom > "$ROOT/64m.bin"
head -c $((1 << 20)) /dev/urandom > "$ROOT/1m.bin"
chmod 644 "$ROOT"/*.bin
SUM64=$(sha256sum < "$ROOT/64m.bin" | cut -d' ' -f1)
SUM1=$(sha256sum < "$ROOT/1m.bin" | cut -d' ' -f1)

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    if [ -z "$(ss -Hunl "sport = :$p")" ]; then echo "$p"; return; fi
  done
}

OURS=$(free_port)
LAST=$(( $(nproc) - 1 ))
SERVER_CPU=$(( LAST > 0 ? 1 : 0 ))
taskset -c "$SERVER_CPU" java -Xms512m -cp "$CP" org.opendpm.netboot.internal.tftp.TftpServerMain "$ROOT" "$OURS" > "$WORK/ours.log" 2>&1 &
PIDS+=($!)
HPA=$(free_port)
while [ "$HPA" = "$OURS" ]; do HPA=$(free_port); done
taskset -c "$SERVER_CPU" in.tftpd -L -a "127.0.0.1:$HPA" -s "$ROOT" &
PIDS+=($!)
for i in $(seq 1 100); do grep -q "listening on" "$WORK/ours.log" && break; sleep 0.1; done
grep -q "listening on" "$WORK/ours.log" || { cat "$WORK/ours.log"; exit 1; }
# warm both servers (our JIT, both page caches) and prove they serve
for port in "$OURS" "$HPA"; do
  for i in 1 2 3; do
    curl -sS --tftp-blksize 1468 -o "$OUT/warm" "tftp://127.0.0.1:$port/64m.bin"
  done
  [ "$(sha256sum < "$OUT/warm" | cut -d' ' -f1)" = "$SUM64" ] || { echo "warm-up mismatch on $port" >&2; exit 1; }
done
echo "== ours on 127.0.0.1:$OURS, tftpd-hpa on 127.0.0.1:$HPA, $(nproc) cores"

now() { date +%s.%N; }

# one_transfer PORT KIND ARGS... -> prints seconds; fails on a checksum mismatch
one_transfer() {
  local port=$1 kind=$2; shift 2
  local out="$OUT/one.bin" t0 t1
  rm -f "$out"
  t0=$(now)
  case $kind in
    curl) taskset -c 0 curl -sS "$@" -o "$out" "tftp://127.0.0.1:$port/64m.bin" ;;
    atftp) taskset -c 0 atftp "$@" -g -r 64m.bin -l "$out" 127.0.0.1 "$port" > "$OUT/atftp.log" 2>&1 ;;
  esac
  t1=$(now)
  local sum
  sum=$(sha256sum < "$out" | cut -d' ' -f1)
  [ "$sum" = "$SUM64" ] || { echo "CHECKSUM MISMATCH ($kind $* on port $port)" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mbps() { awk -v t="$1" 'BEGIN { printf "%.1f", 64 * 1048576 / t / 1e6 }'; }

RESULTS="$WORK/results.md"
{
  echo "| case (64 MiB file) | client command | ours MB/s | tftpd-hpa MB/s | ours / tftpd-hpa |"
  echo "| --- | --- | ---: | ---: | ---: |"
} > "$RESULTS"

declare -A MEDIAN
measure() { # name kind args...
  local name=$1 kind=$2; shift 2
  local o=() h=() i
  for i in $(seq 1 "$RUNS"); do
    o+=("$(one_transfer "$OURS" "$kind" "$@")")
    h+=("$(one_transfer "$HPA" "$kind" "$@")")
  done
  local mo mh
  mo=$(echo "${o[*]}" | median)
  mh=$(echo "${h[*]}" | median)
  MEDIAN["$name.ours"]=$mo
  MEDIAN["$name.hpa"]=$mh
  local ratio
  ratio=$(awk -v a="$mo" -v b="$mh" 'BEGIN { printf "%.2f", b / a }')
  printf '%-28s ours %6ss %7s MB/s   tftpd-hpa %6ss %7s MB/s   ratio %s   (runs ours: %s; hpa: %s)\n' \
    "$name" "$mo" "$(mbps "$mo")" "$mh" "$(mbps "$mh")" "$ratio" "${o[*]}" "${h[*]}"
  local shown=$kind a
  for a in "$@"; do case $a in *" "*) shown+=" \"$a\"" ;; *) shown+=" $a" ;; esac; done
  echo "| $name | \`$shown\` | $(mbps "$mo") | $(mbps "$mh") | ${ratio}x |" >> "$RESULTS"
}

echo "== one 64 MiB file, median of $RUNS runs"
measure "curl blksize 512" curl
measure "curl blksize 1468" curl --tftp-blksize 1468
measure "atftp blksize 512" atftp --option "blksize 512"
measure "atftp blksize 1468" atftp --option "blksize 1468"
# tftpd-hpa ignores windowsize, so against it the same command runs lock-step
measure "atftp blksize 1468 windowsize 16" atftp --option "blksize 1468" --option "windowsize 16"
WS_VS_LOCKSTEP=$(awk -v a="${MEDIAN["atftp blksize 1468 windowsize 16.ours"]}" -v b="${MEDIAN["atftp blksize 1468.hpa"]}" \
  'BEGIN { printf "%.2f", b / a }')
echo "windowsize 16 (ours) vs tftpd-hpa lock-step at blksize 1468: ${WS_VS_LOCKSTEP}x"

# many clients at once: N atftp processes x 1 MiB at blksize 1468, released together
concurrent() {
  local port=$1 n=${2:-$CLIENTS} dir="$OUT/c$1" t0 t1 pids=() i lk
  rm -rf "$dir"
  mkdir -p "$dir"
  local lock="$WORK/start.lock"
  : > "$lock"
  local ino
  ino=$(stat -c %i "$lock")
  exec {lk}> "$lock"
  flock -x "$lk"
  for i in $(seq 1 "$n"); do
    flock -s "$lock" atftp --option "blksize 1468" -g -r 1m.bin -l "$dir/$i" 127.0.0.1 "$port" > /dev/null 2>&1 {lk}>&- &
    pids+=($!)
  done
  # every client blocked on the lock (listed as a waiter in /proc/locks) before the clock starts
  while [ "$(grep -c -- "-> FLOCK.*:$ino " /proc/locks || true)" -lt "$n" ]; do sleep 0.05; done
  t0=$(now)
  flock -u "$lk"
  exec {lk}>&-
  local failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
  t1=$(now)
  local ok
  ok=$(find "$dir" -type f -exec sha256sum {} + | grep -c "^$SUM1 " || true)
  awk -v a="$t0" -v b="$t1" -v ok="$ok" -v f="$failed" 'BEGIN { printf "%.2f %d %d", b - a, ok, f }'
  rm -rf "$dir"
}
# all cores for everyone from here on (forked tftpd-hpa children inherit the parent's mask)
taskset -apc "0-$LAST" "${PIDS[0]}" > /dev/null
taskset -apc "0-$LAST" "${PIDS[1]}" > /dev/null
echo "== warm-up: 200 concurrent clients on each server (not measured)"
for port in "$OURS" "$HPA"; do
  read -r _ okw _ <<< "$(concurrent "$port" 200)"
  [ "$okw" = 200 ] || { echo "warm-up of 200 clients on $port: only $okw byte-exact" >&2; exit 1; }
done
echo "== $CLIENTS concurrent atftp clients x 1 MiB, blksize 1468, $RUNS runs alternating (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
CO_ALL=() CH_ALL=() RATIOS=() BAD=0
for i in $(seq 1 "$RUNS"); do
  read -r CO OKO FO <<< "$(concurrent "$OURS")"
  read -r CH OKH FH <<< "$(concurrent "$HPA")"
  R=$(awk -v a="$CO" -v b="$CH" 'BEGIN { printf "%.2f", b / a }')
  echo "run $i: ours ${CO}s ($OKO/$CLIENTS byte-exact, $FO exits non-zero), tftpd-hpa ${CH}s ($OKH/$CLIENTS, $FH), ratio ${R}x, load $(cut -d' ' -f1 /proc/loadavg)"
  [ "$OKO" = "$CLIENTS" ] && [ "$OKH" = "$CLIENTS" ] || BAD=$((BAD + 1))
  CO_ALL+=("$CO"); CH_ALL+=("$CH"); RATIOS+=("$R")
done
range() { tr ' ' '\n' | grep . | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s–%s", lo, hi }'; }
CO=$(echo "${CO_ALL[*]}" | median); CH=$(echo "${CH_ALL[*]}" | median); CRATIO=$(echo "${RATIOS[*]}" | median)
echo "median: ours ${CO}s, tftpd-hpa ${CH}s, ratio ${CRATIO}x (range $(echo "${RATIOS[*]}" | range)); runs not byte-exact: $BAD"
echo "| $CLIENTS concurrent clients x 1 MiB, wall time, median of $RUNS | \`atftp --option \"blksize 1468\"\` x $CLIENTS | ${CO} s | ${CH} s | ${CRATIO}x (runs: $(echo "${RATIOS[*]}" | tr ' ' '\n' | paste -sd' ')) |" >> "$RESULTS"
CONC_NOTE="Many-clients runs (ours / tftpd-hpa, s): $(for i in "${!CO_ALL[@]}"; do printf '%s/%s ' "${CO_ALL[$i]}" "${CH_ALL[$i]}"; done)— runs with a client not byte-exact: $BAD."

echo "== ours, server-side counters"
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true
grep "^stats" "$WORK/ours.log" || true

{
  echo
  echo "### $(date -u '+%Y-%m-%d %H:%M UTC') — \`$COMMAND\`"
  echo
  echo "Machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1); ${RUNS} runs per single-file case (median)."
  echo "Single-file cases: servers pinned to CPU $SERVER_CPU, clients to CPU 0; many-clients case: all cores."
  echo "Ratio = tftpd-hpa time / our time (above 1 means ours is faster)."
  echo
  cat "$RESULTS"
  echo
  echo "windowsize 16 (ours) against tftpd-hpa lock-step at blksize 1468: **${WS_VS_LOCKSTEP}x** (target ≥ 4x)."
  echo "$CONC_NOTE"
  echo "Single-file transfers verified by SHA-256 (a mismatch aborts the run); many-clients downloads counted by SHA-256."
} > "$WORK/section.md"
RES="$REPO/bench/RESULTS.md"
[ -f "$RES" ] || printf '# Benchmark results\n' > "$RES"
grep -q '^## TFTP' "$RES" || printf '\n## TFTP\n\nOpenDPM TFTP (Netty, bundles/org.opendpm.netboot) against tftpd-hpa (`in.tftpd -L -a 127.0.0.1:PORT -s DIR`), same files, same clients, loopback.\n' >> "$RES"
# append under the TFTP heading (before the next "## " section, if any)
awk -v sect="$WORK/section.md" '
  BEGIN { while ((getline line < sect) > 0) add = add line "\n" }
  /^## / { if (in_tftp && !done) { printf "%s\n", add; done = 1 } in_tftp = ($0 ~ /^## TFTP/) }
  { print }
  END { if (!done) printf "%s", add }
' "$RES" > "$WORK/RESULTS.new" && cp "$WORK/RESULTS.new" "$RES"
echo "== appended to bench/RESULTS.md"
