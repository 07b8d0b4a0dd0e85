#!/usr/bin/env bash
# Image format benchmark: OpenDPM's image writer, restore and verifier (bundles/org.opendpm.image) against the zstd
# and sha256sum command-line tools on the same bytes, in the same run.
#
# Usage:   bench/image/run.sh [SIZE_MIB] [RUNS]      (defaults: 1024 MiB, 3 runs; SIZE_MIB a multiple of 16)
#          MVN_ARGS="-o -Dmaven.repo.local=..." passes options to Maven.
# Needs:   java, mvn, zstd, sha256sum, bc, GNU time (/usr/bin/time); the parent poms installed once
#          (mvn -q -N install && mvn -q -N -f bundles/pom.xml install).
# Data:    a test disk written by org.opendpm.image.bench.ImageBench gen from a fixed seed: per 16 MiB, 4 MiB of
#          zeros (a quarter), 6 MiB of log-like text, 6 MiB of random bytes. The same bytes on every run.
# Cases:   backup:  ImageBench backup DISK IMG (4 MiB chunks, zstd level 1, 2 threads, SHA-256 + CRC-32C per chunk)
#                   vs `zstd -q -1 -T2 < DISK > DISK.zst`;
#          restore: ImageBench restore IMG OUT (every chunk checked, holes written as zeros, like zstd's stdout)
#                   vs `zstd -q -d < DISK.zst > OUT`; also ours with holes skipped on a new file ("zeroed");
#          verify:  java -jar opendpm-verify.jar IMG (every chunk: CRC-32C, decompress, SHA-256) vs `sha256sum IMG`.
#          Times are wall clock of the whole process (JVM start included), median of RUNS, ours first in
#          every other run; the page cache holds the inputs (each is read once before). Outputs are deleted before each
#          run and dirty pages flushed (sync), outside the clock. Every restored file is checked by SHA-256 against the disk (a mismatch aborts).
# Targets: backup >= 0.7x zstd -1 -T2 and image within 5 % of its size; restore >= 0.7x zstd -d; verify >= 1 GB/s
#          of image or >= 0.8x sha256sum, whichever is lower.
# Output:  a table on stdout, appended with the date, command and load average to bench/RESULTS.md ("Disk image").
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MOD="$REPO/bundles/org.opendpm.image"
SIZE=${1:-1024}
RUNS=${2:-3}
COMMAND="bench/image/run.sh $*"
MVN_ARGS=${MVN_ARGS:-}

for bin in java mvn zstd sha256sum bc /usr/bin/time; do
  command -v "$bin" >/dev/null || { echo "missing $bin" >&2; exit 1; }
done
(( SIZE % 16 == 0 )) || { echo "SIZE_MIB must be a multiple of 16" >&2; exit 1; }

WORK=$(mktemp -d /tmp/image-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "== building the module (classes, test classes, opendpm-verify.jar)"
# shellcheck disable=SC2086
mvn -q $MVN_ARGS -f "$MOD/pom.xml" -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
CP="$MOD/target/classes:$MOD/target/test-classes:$(cat "$WORK/cp.txt")"
VERIFY_JAR="$MOD/target/opendpm-verify.jar"
BENCH=(java -cp "$CP" org.opendpm.image.bench.ImageBench)
bench() { "${BENCH[@]}" "$@"; }

DISK="$WORK/disk.bin"
echo "== generating a ${SIZE} MiB test disk"
bench gen "$DISK" "$SIZE"
SUM=$(sha256sum < "$DISK" | cut -d' ' -f1)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# Runs "$@" and prints "WALL:CPU" in seconds (CPU = user + system, which other work on the machine disturbs less
# than wall time). Dirty pages of earlier steps are flushed first (outside the clock): otherwise a writer that
# follows another one is throttled by the kernel's write-back of the other's output.
timed() {
  sync
  /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" >/dev/null
  awk '{printf "%.3f:%.2f", $1, $2 + $3}' "$WORK/time"
}
# median FIELD VALUES...: the median of field 1 (wall) or 2 (CPU) of WALL:CPU values.
median() {
  local f=$1
  shift
  printf '%s\n' "$@" | cut -d: -f"$f" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
check() {
  local got
  got=$(sha256sum < "$1" | cut -d' ' -f1)
  [[ "$got" == "$SUM" ]] || { echo "MISMATCH: $2 restored $got, disk $SUM" >&2; exit 1; }
}

declare -a ZB OB ZR OR OZ SS OV
# One step each; a run does theirs then ours, the next ours then theirs, so neither always follows the other's writes.
zstd_backup() { rm -f "$WORK/disk.zst"; ZB+=("$(timed sh -c "zstd -q -1 -T2 < '$DISK' > '$WORK/disk.zst'")"); }
ours_backup() { rm -f "$WORK/disk.img"; OB+=("$(timed "${BENCH[@]}" backup "$DISK" "$WORK/disk.img" 1 2)"); }
zstd_restore() {
  rm -f "$WORK/out.zstd"
  ZR+=("$(timed sh -c "zstd -q -d < '$WORK/disk.zst' > '$WORK/out.zstd'")")
  check "$WORK/out.zstd" "zstd -d"
  rm -f "$WORK/out.zstd"
}
ours_restore() {
  rm -f "$WORK/out.ours"
  OR+=("$(timed "${BENCH[@]}" restore "$WORK/disk.img" "$WORK/out.ours")")
  check "$WORK/out.ours" "ours"
  rm -f "$WORK/out.ours"
  OZ+=("$(timed "${BENCH[@]}" restore "$WORK/disk.img" "$WORK/out.ours" zeroed)")
  check "$WORK/out.ours" "ours (holes skipped)"
  rm -f "$WORK/out.ours"
}
sha_verify() { SS+=("$(timed sha256sum "$WORK/disk.img")"); }
ours_verify() { OV+=("$(timed java -jar "$VERIFY_JAR" "$WORK/disk.img")"); }
for ((i = 1; i <= RUNS; i++)); do
  echo "== run $i of $RUNS"
  if ((i % 2)); then
    zstd_backup; ours_backup
    cat "$WORK/disk.zst" "$WORK/disk.img" > /dev/null
    zstd_restore; ours_restore
    sha_verify; ours_verify
  else
    ours_backup; zstd_backup
    cat "$WORK/disk.zst" "$WORK/disk.img" > /dev/null
    ours_restore; zstd_restore
    ours_verify; sha_verify
  fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

ZSIZE=$(stat -c %s "$WORK/disk.zst")
ISIZE=$(stat -c %s "$WORK/disk.img")
BYTES=$((SIZE << 20))
zb=$(median 1 "${ZB[@]}"); ob=$(median 1 "${OB[@]}"); zr=$(median 1 "${ZR[@]}"); or=$(median 1 "${OR[@]}")
oz=$(median 1 "${OZ[@]}"); ss=$(median 1 "${SS[@]}"); ov=$(median 1 "${OV[@]}")
zbc=$(median 2 "${ZB[@]}"); obc=$(median 2 "${OB[@]}"); zrc=$(median 2 "${ZR[@]}"); orc=$(median 2 "${OR[@]}")
ozc=$(median 2 "${OZ[@]}"); ssc=$(median 2 "${SS[@]}"); ovc=$(median 2 "${OV[@]}")
mbs() { printf "%.1f" "$(echo "scale=3; $1 / $2 / 1000000" | bc)"; }
ratio() { printf "%.2f" "$(echo "scale=4; $1 / $2" | bc)"; }

TABLE=$(cat <<TAB
| case | command | ours s (CPU s) | theirs s (CPU s) | ours MB/s | theirs MB/s | ours / theirs (throughput) | ours / theirs (CPU) |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
| backup | \`ImageBench backup\` vs \`zstd -1 -T2 < disk > img\` | $ob ($obc) | $zb ($zbc) | $(mbs $BYTES "$ob") | $(mbs $BYTES "$zb") | $(ratio "$zb" "$ob")x | $(ratio "$obc" "$zbc")x |
| restore, holes written | \`ImageBench restore\` vs \`zstd -d < img > disk\` | $or ($orc) | $zr ($zrc) | $(mbs $BYTES "$or") | $(mbs $BYTES "$zr") | $(ratio "$zr" "$or")x | $(ratio "$orc" "$zrc")x |
| restore, holes skipped (new file) | \`ImageBench restore zeroed\` vs \`zstd -d < img > disk\` | $oz ($ozc) | $zr ($zrc) | $(mbs $BYTES "$oz") | $(mbs $BYTES "$zr") | $(ratio "$zr" "$oz")x | $(ratio "$ozc" "$zrc")x |
| verify (MB/s of image) | \`java -jar opendpm-verify.jar img\` vs \`sha256sum img\` | $ov ($ovc) | $ss ($ssc) | $(mbs "$ISIZE" "$ov") | $(mbs "$ISIZE" "$ss") | $(ratio "$ss" "$ov")x | $(ratio "$ovc" "$ssc")x |

Image size: ours $ISIZE bytes, zstd's $ZSIZE bytes: ours / zstd's = $(echo "scale=4; $ISIZE / $ZSIZE" | bc).
Source: $BYTES bytes (SHA-256 $SUM); every restore matched it.
TAB
)
echo
echo "$TABLE"

if ! grep -q '^## Disk image' "$REPO/bench/RESULTS.md"; then
  printf '\n## Disk image\n\nOpenDPM image writer, restore and verifier (bundles/org.opendpm.image, docs/image-format.md) against zstd and\nsha256sum on the same test disk, same run (bench/image/run.sh).\n' >> "$REPO/bench/RESULTS.md"
fi
{
  echo
  echo "### $(date -u '+%Y-%m-%d %H:%M UTC') — \`$COMMAND\`"
  echo
  echo "Machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1); zstd $(zstd -V | grep -o 'v[0-9.]*' | head -1);"
  echo "$RUNS runs, median; wall clock and CPU time (user + system) per process, JVM start included; CPU ratio above 1 means ours uses more. Load average before: $LOAD_BEFORE, after: $LOAD_AFTER."
  echo
  echo "$TABLE"
} >> "$REPO/bench/RESULTS.md"
