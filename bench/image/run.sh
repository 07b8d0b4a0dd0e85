#!/usr/bin/env bash
# Image format benchmark: OpenDPM's image writer, restore and verifier (bundles/org.opendpm.image) against the zstd
# and sha256sum command-line tools on the same bytes, in the same run.
#
# Usage:   bench/image/run.sh [SIZE_MIB] [RUNS]      (defaults: 1024 MiB, 3 runs; SIZE_MIB a multiple of 16)
#          MVN_ARGS="-o -Dmaven.repo.local=..." passes options to Maven.
# Needs:   java, mvn, zstd, sha256sum, bc; the parent poms installed once
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

for bin in java mvn zstd sha256sum bc; do
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
bench() { java -cp "$CP" org.opendpm.image.bench.ImageBench "$@"; }

DISK="$WORK/disk.bin"
echo "== generating a ${SIZE} MiB test disk"
bench gen "$DISK" "$SIZE"
SUM=$(sha256sum < "$DISK" | cut -d' ' -f1)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# Runs "$@" and prints its wall time in seconds. Dirty pages of earlier steps are flushed first (outside the clock):
# otherwise a writer that follows another one is throttled by the kernel's write-back of the other's output.
timed() {
  local start end
  sync
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  printf "%.3f" "$(echo "$end - $start" | bc)"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
check() {
  local got
  got=$(sha256sum < "$1" | cut -d' ' -f1)
  [[ "$got" == "$SUM" ]] || { echo "MISMATCH: $2 restored $got, disk $SUM" >&2; exit 1; }
}

declare -a ZB OB ZR OR OZ SS OV
# One step each; a run does theirs then ours, the next ours then theirs, so neither always follows the other's writes.
zstd_backup() { rm -f "$WORK/disk.zst"; ZB+=("$(timed sh -c "zstd -q -1 -T2 < '$DISK' > '$WORK/disk.zst'")"); }
ours_backup() { rm -f "$WORK/disk.img"; OB+=("$(timed bench backup "$DISK" "$WORK/disk.img" 1 2)"); }
zstd_restore() {
  rm -f "$WORK/out.zstd"
  ZR+=("$(timed sh -c "zstd -q -d < '$WORK/disk.zst' > '$WORK/out.zstd'")")
  check "$WORK/out.zstd" "zstd -d"
  rm -f "$WORK/out.zstd"
}
ours_restore() {
  rm -f "$WORK/out.ours"
  OR+=("$(timed bench restore "$WORK/disk.img" "$WORK/out.ours")")
  check "$WORK/out.ours" "ours"
  rm -f "$WORK/out.ours"
  OZ+=("$(timed bench restore "$WORK/disk.img" "$WORK/out.ours" zeroed)")
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
zb=$(median "${ZB[@]}"); ob=$(median "${OB[@]}"); zr=$(median "${ZR[@]}"); or=$(median "${OR[@]}")
oz=$(median "${OZ[@]}"); ss=$(median "${SS[@]}"); ov=$(median "${OV[@]}")
mbs() { printf "%.1f" "$(echo "scale=3; $1 / $2 / 1000000" | bc)"; }
ratio() { printf "%.2f" "$(echo "scale=4; $1 / $2" | bc)"; }

TABLE=$(cat <<TAB
| case | command | ours s | theirs s | ours MB/s | theirs MB/s | ours / theirs (throughput) |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
| backup | \`ImageBench backup\` vs \`zstd -1 -T2 < disk > img\` | $ob | $zb | $(mbs $BYTES "$ob") | $(mbs $BYTES "$zb") | $(ratio "$zb" "$ob")x |
| restore, holes written | \`ImageBench restore\` vs \`zstd -d < img > disk\` | $or | $zr | $(mbs $BYTES "$or") | $(mbs $BYTES "$zr") | $(ratio "$zr" "$or")x |
| restore, holes skipped (new file) | \`ImageBench restore zeroed\` vs \`zstd -d < img > disk\` | $oz | $zr | $(mbs $BYTES "$oz") | $(mbs $BYTES "$zr") | $(ratio "$zr" "$oz")x |
| verify (MB/s of image) | \`java -jar opendpm-verify.jar img\` vs \`sha256sum img\` | $ov | $ss | $(mbs "$ISIZE" "$ov") | $(mbs "$ISIZE" "$ss") | $(ratio "$ss" "$ov")x |

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
  echo "$RUNS runs, median; wall clock per process, JVM start included. Load average before: $LOAD_BEFORE, after: $LOAD_AFTER."
  echo
  echo "$TABLE"
} >> "$REPO/bench/RESULTS.md"
