#!/usr/bin/env bash
# Backup and restore through the agent: the distribution's server and a real agent process on loopback, as the
# Deploy-OS runs them, against zstd on the same bytes in the same run.
#
# Usage:   bench/image/agent.sh [SIZE_MIB] [RUNS]      (defaults: 2048 MiB, 3 runs; SIZE_MIB a multiple of 16)
#          MVN_ARGS="-o -Dmaven.repo.local=..." passes options to Maven; AGENT_JAVA_OPTS to the agent's JVM and
#          EXTRA_JAVA_OPTS to the server's (a flight recording of either, say).
# Needs:   the build installed (mvn install -DskipTests: the distribution tarball, the agent jar, the image module's
#          test classes), java, mvn, curl, python3, zstd, sha256sum, GNU time.
# Data:    the image benchmark's test disk (org.opendpm.image.bench.ImageBench gen, fixed seed): per 16 MiB, 4 MiB of
#          zeros (a quarter), 6 MiB of log-like text, 6 MiB of random bytes.
# How:     the server runs from the distribution (embedded Derby) with its default image folder; machine "bench" is
#          registered by MAC, a Backup/Restore scenario is executed through REST, and when the engine has made the
#          Deploy-OS the machine's next boot, the Deploy-OS command line the server generates for it (its iPXE script,
#          with the one-time token) starts the agent exactly as the Deploy-OS's /init would, with the test disk
#          standing in for the machine's disk (--test-disk). The figure is the Backup (or Restore) step's own time as
#          the server recorded it (steps' startedAt/endedAt): disk inventory, partition-table area, every chunk read,
#          compressed on the agent, sent over TLS, checked and written by the server, fsync and rename; restore: every
#          chunk read, CRC-checked and sent by the server, checked, decompressed and written by the agent, fsync.
#          Peers: `zstd -q -1 -T2 < DISK > DISK.zst` and `zstd -q -d < DISK.zst > OUT` (wall clock), and the same
#          followed by `sync` of the output file: OpenDPM's figures include flushing the image or the disk (an image or
#          a restore is not done before its bytes are on disk), zstd's plain figures leave them in the page cache.
#          Medians of RUNS, after one unmeasured backup and restore of the disk's first WARM_MIB MiB (default: all of it)
#          that warms the server's JIT as a server in service is warm; the agent starts cold in every run.
#          Every restored disk is checked by SHA-256 against the source. CPU seconds are reported beside wall seconds
#          (OpenDPM: agent + server during the execution; zstd: user + system): on a machine that others load, wall
#          ratios follow the scheduler's shares, CPU ratios follow the work.
# Output:  a table on stdout, added with the date, command and load average at the end of bench/RESULTS.md's
#          "Disk image" section.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MOD="$REPO/bundles/org.opendpm.image"
SIZE=${1:-2048}
RUNS=${2:-3}
WARM_MIB=${WARM_MIB:-$SIZE}
COMMAND="bench/image/agent.sh $*"
MVN_ARGS=${MVN_ARGS:-}
PASSWORD="agent bench 2026"
MAC=52:54:00:be:0c:01
MAC2=52:54:00:be:0c:02

for bin in java mvn curl python3 zstd sha256sum /usr/bin/time; do
  command -v "$bin" >/dev/null || { echo "missing $bin" >&2; exit 1; }
done
(( SIZE % 16 == 0 )) || { echo "SIZE_MIB must be a multiple of 16" >&2; exit 1; }
TARBALL=$(ls "$REPO"/karaf-assembly/target/opendpm-karaf-*.tar.gz 2>/dev/null | head -1)
AGENT_JAR="$REPO/bundles/org.opendpm.agent/target/opendpm-agent.jar"
[ -f "$TARBALL" ] && [ -f "$AGENT_JAR" ] || { echo "build first: mvn install -DskipTests" >&2; exit 1; }

# The JVM options the Deploy-OS's /init starts the agent with.
DEPLOYOS_JVM=$(sed -n 's/^set -- \(.*\) -jar .*/\1/p' "$REPO/deployos/src/main/initramfs/init")
[ -n "$DEPLOYOS_JVM" ] || { echo "cannot read the agent's JVM options from deployos/src/main/initramfs/init" >&2; exit 1; }

WORK=$(mktemp -d /tmp/agent-bench.XXXXXX)
SERVER_PID=
cleanup() {
  if [ -f "$WORK/server/karaf.pid" ]; then
    local jvm
    jvm=$(cat "$WORK/server/karaf.pid")
    kill "$jvm" 2>/dev/null || true
    while kill -0 "$jvm" 2>/dev/null; do sleep 0.2; done
  fi
  [ -n "$SERVER_PID" ] && { wait "$SERVER_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck disable=SC2086
mvn -q $MVN_ARGS -f "$MOD/pom.xml" -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
CP="$MOD/target/classes:$MOD/target/test-classes:$(cat "$WORK/cp.txt")"
DISK="$WORK/disk.bin"
echo "== generating a ${SIZE} MiB test disk"
java -cp "$CP" org.opendpm.image.bench.ImageBench gen "$DISK" "$SIZE"
SUM=$(sha256sum < "$DISK" | cut -d' ' -f1)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
set_key() { sed -i -E "s|^$2\s*=.*$|$2 = $3|" "$1"; }

echo "== starting the server"
HOME_DIR="$WORK/server"
mkdir "$HOME_DIR"
tar -xzf "$TARBALL" -C "$HOME_DIR" --strip-components=1
HTTP=$(free_port)
LINK=$(free_port)
set_key "$HOME_DIR/etc/org.ops4j.pax.web.cfg" org.osgi.service.http.port "$HTTP"
set_key "$HOME_DIR/etc/org.apache.karaf.shell.cfg" sshPort "$(free_port)"
set_key "$HOME_DIR/etc/org.apache.karaf.management.cfg" rmiRegistryPort "$(free_port)"
set_key "$HOME_DIR/etc/org.apache.karaf.management.cfg" rmiServerPort "$(free_port)"
set_key "$HOME_DIR/etc/org.opendpm.transfer.cfg" address 127.0.0.1
set_key "$HOME_DIR/etc/org.opendpm.transfer.cfg" port "$LINK"
set_key "$HOME_DIR/etc/org.opendpm.transfer.cfg" discoveryPort 0
set_key "$HOME_DIR/etc/org.opendpm.power.cfg" wakeOnLanAddress 127.255.255.255
echo "advertisedAddress = 127.0.0.1" > "$HOME_DIR/etc/org.opendpm.netboot.http.cfg"
(cd "$HOME_DIR" && OPENDPM_ADMIN_PASSWORD="$PASSWORD" exec bin/karaf server > "$WORK/server.log" 2>&1) &
SERVER_PID=$!
API="http://127.0.0.1:$HTTP/opendpm/api/v1"
api() { curl -sS -u "admin:$PASSWORD" -H 'Content-Type: application/json' -X "$1" "$API/$2" ${3:+--data "$3"}; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
for _ in $(seq 1 120); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$PASSWORD" "$API/plugins")" = 200 ] \
    && api GET plugins | grep -q backup-restore && break
  sleep 1
done
api PATCH settings '{"defaultDeployOs":"opendpm-amd64"}' >/dev/null
GROUP=$(api POST groups '{"path":"/Bench"}' | json 'd["id"]')
M1=$(api POST machines "{\"groupId\":$GROUP,\"name\":\"bench\",\"macs\":[\"$MAC\"]}" | json 'd["id"]')
M2=$(api POST machines "{\"groupId\":$GROUP,\"name\":\"bench2\",\"macs\":[\"$MAC2\"]}" | json 'd["id"]')
SG=$(api POST scenario-groups '{"path":"/Bench"}' | json 'd["id"]')
BACKUP=$(api POST scenarios "{\"name\":\"Backup\",\"groupId\":$SG,\"tabs\":{\"backup-restore\":{\"operation\":\"backup\",\"imageName\":\"bench.img\",\"disk\":1,\"partitions\":[],\"createVerificationData\":false,\"appendToImageName\":\"none\",\"transfer\":\"unicast\"}}}" | json 'd["id"]')
RESTORE=$(api POST scenarios "{\"name\":\"Restore\",\"groupId\":$SG,\"tabs\":{\"backup-restore\":{\"operation\":\"restore\",\"imageName\":\"bench.img\",\"disk\":1,\"compareAfterRestore\":false,\"transfer\":\"unicast\"}}}" | json 'd["id"]')

# CPU seconds (user + system) a process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# Executes a scenario on a machine and plays its Deploy-OS: the agent with the command line the server generated.
# Prints the named step's seconds, then the CPU seconds of the agent and of the server during the execution.
run_step() {
  local scenario=$1 machine=$2 mac=$3 disk=$4 step=$5 id script server fingerprint token
  id=$(api POST executions "{\"machineIds\":[$machine],\"scenarioId\":$scenario}" | json 'd[0]["id"]')
  for _ in $(seq 1 120); do
    [ "$(api GET "machines/$machine/boot-intent" | json 'd["intent"]')" = DEPLOY_OS ] && break
    sleep 0.5
  done
  script=$(curl -sS "http://127.0.0.1:$HTTP/opendpm/boot/ipxe?mac=$mac&arch=x86_64&platform=pcbios")
  server=$(grep -o 'opendpm.server=[^ ]*' <<< "$script" | cut -d= -f2)
  fingerprint=$(grep -o 'opendpm.fingerprint=[^ ]*' <<< "$script" | cut -d= -f2)
  token=$(grep -o 'opendpm.token=[^ ]*' <<< "$script" | cut -d= -f2)
  [ -n "$token" ] || { echo "no Deploy-OS token in the boot script: $script" >&2; exit 1; }
  mkdir -p "$WORK/agent-$id"
  local server_cpu
  server_cpu=$(cpu "$(cat "$HOME_DIR/karaf.pid")")
  /usr/bin/time -f "%U %S" -o "$WORK/agent-$id.cpu" java $DEPLOYOS_JVM ${AGENT_JAVA_OPTS:-} -jar "$AGENT_JAR" --deploy-os --server "$server" --server-fingerprint "$fingerprint" --token "$token" \
    --mac "$mac" --test-disk "$disk" --state "$WORK/agent-$id" > "$WORK/agent-$id.log" 2>&1 &
  local agent=$!
  local state=
  for _ in $(seq 1 1200); do
    state=$(api GET "executions/$id" | json 'd["state"]')
    [[ $state =~ COMPLETED|FAILED|CANCELLED|TIMED_OUT ]] && break
    sleep 0.5
  done
  server_cpu=$(awk -v a="$server_cpu" -v b="$(cpu "$(cat "$HOME_DIR/karaf.pid")")" 'BEGIN { printf "%.2f", b - a }')
  # SIGTERM to the agent's JVM (not to time, which then writes the agent's CPU figures).
  pkill -TERM -f "^java .*-jar .*--state $WORK/agent-$id" 2>/dev/null || true
  wait "$agent" 2>/dev/null || true
  [ "$state" = COMPLETED ] || { echo "execution $id ended $state: $(api GET "executions/$id")" >&2; tail -20 "$WORK/agent-$id.log" >&2; exit 1; }
  api GET "executions/$id/steps" | python3 -c '
import json, sys, datetime
name = sys.argv[1]
for s in json.load(sys.stdin):
    if s["name"].startswith(name):
        t = lambda v: datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        print("%.2f" % (t(s["endedAt"]) - t(s["startedAt"])).total_seconds(), end="")
        break
' "$step"
  echo " $(tail -1 "$WORK/agent-$id.cpu" | awk '{ printf "%.2f", $1 + $2 }') $server_cpu"
}

# Prints the wall seconds; leaves the CPU seconds (user + system) in $WORK/time.cpu.
timed() {
  sync; /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@"
  awk '{ printf "%.2f\n", $2 + $3 > "'"$WORK/time.cpu"'"; print $1 }' "$WORK/time"
}
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Waits until the server is idle (under 5 % of a core for 2 s in a row, at most 120 s): a server in service is not
# still compiling its own start when a Deploy-OS connects, and a run must not pay for the one before it.
settle() {
  local pid quiet=0 a b
  pid=$(cat "$HOME_DIR/karaf.pid")
  sync
  for _ in $(seq 1 240); do
    a=$(cpu "$pid"); sleep 0.5; b=$(cpu "$pid")
    if awk -v a="$a" -v b="$b" 'BEGIN { exit !(b - a < 0.025) }'; then
      quiet=$((quiet + 1)); (( quiet >= 4 )) && return 0
    else
      quiet=0
    fi
  done
}

# The server is a long-running service: one unmeasured backup and restore of a small disk first, so that the runs
# meet a server whose JIT has compiled the transfer path, as a Deploy-OS meets a server that has been up for a while.
# The agent's JVM starts cold in every run, as a Deploy-OS's does.
WARM="$WORK/warm.bin"
head -c $((WARM_MIB << 20)) "$DISK" > "$WARM"
settle
run_step "$BACKUP" "$M1" "$MAC" "$WARM" Backup > /dev/null
truncate -s $((WARM_MIB << 20)) "$WORK/warm-restored.bin"
run_step "$RESTORE" "$M2" "$MAC2" "$WORK/warm-restored.bin" Restore > /dev/null
cmp -s "$WARM" "$WORK/warm-restored.bin" || { echo "the warm-up restore differs from its source" >&2; exit 1; }
rm -f "$WARM" "$WORK/warm-restored.bin"

cat "$DISK" > /dev/null
backups=(); restores=(); zc=(); zd=(); zcs=(); zds=(); agent_b=(); server_b=(); agent_r=(); server_r=()
cpu_b=(); cpu_r=(); zc_cpu=(); zd_cpu=()
IMAGES="$HOME_DIR/data/images"
for run in $(seq 1 "$RUNS"); do
  settle
  read -r b bcpu bscpu <<< "$(run_step "$BACKUP" "$M1" "$MAC" "$DISK" Backup)"
  backups+=("$b"); agent_b+=("$bcpu"); server_b+=("$bscpu")
  zc+=("$(timed sh -c "zstd -q -1 -T2 < '$DISK' > '$WORK/disk.zst'")")
  zc_cpu+=("$(cat "$WORK/time.cpu")")
  rm -f "$WORK/disk.zst"
  zcs+=("$(timed sh -c "zstd -q -1 -T2 < '$DISK' > '$WORK/disk.zst' && sync '$WORK/disk.zst'")")
  rm -f "$WORK/restored.bin"; truncate -s "$(stat -c %s "$DISK")" "$WORK/restored.bin"
  settle
  read -r r rcpu rscpu <<< "$(run_step "$RESTORE" "$M2" "$MAC2" "$WORK/restored.bin" Restore)"
  restores+=("$r"); agent_r+=("$rcpu"); server_r+=("$rscpu")
  cpu_b+=("$(awk -v a="$bcpu" -v b="$bscpu" 'BEGIN { printf "%.2f", a + b }')")
  cpu_r+=("$(awk -v a="$rcpu" -v b="$rscpu" 'BEGIN { printf "%.2f", a + b }')")
  [ "$(sha256sum < "$WORK/restored.bin" | cut -d' ' -f1)" = "$SUM" ] || { echo "run $run: restored disk differs" >&2; exit 1; }
  rm -f "$WORK/out.bin"
  zd+=("$(timed sh -c "zstd -q -d < '$WORK/disk.zst' > '$WORK/out.bin'")")
  zd_cpu+=("$(cat "$WORK/time.cpu")")
  rm -f "$WORK/out.bin"
  zds+=("$(timed sh -c "zstd -q -d < '$WORK/disk.zst' > '$WORK/out.bin' && sync '$WORK/out.bin'")")
  echo "run $run: backup ${backups[-1]} s (CPU agent ${agent_b[-1]} s, server ${server_b[-1]} s; zstd -1 -T2 ${zc[-1]} s, with sync ${zcs[-1]} s), restore ${restores[-1]} s (CPU agent ${agent_r[-1]} s, server ${server_r[-1]} s; zstd -d ${zd[-1]} s, with sync ${zds[-1]} s)"
done
# A manifest (the server's default) names its chunks in the folder's chunk store, which holds only this image's.
IMG_BYTES=$(( $(stat -c %s "$IMAGES/bench.img") + $(find "$IMAGES/.chunks" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }') ))
ZST_BYTES=$(stat -c %s "$WORK/disk.zst")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mibs() { awk -v s="$SIZE" -v t="$1" 'BEGIN { printf "%.0f MiB/s", s / t }'; }
B=$(median "${backups[@]}"); ZC=$(median "${zc[@]}"); R=$(median "${restores[@]}"); ZD=$(median "${zd[@]}")
ZCS=$(median "${zcs[@]}"); ZDS=$(median "${zds[@]}")
CB=$(median "${cpu_b[@]}"); CR=$(median "${cpu_r[@]}"); ZCC=$(median "${zc_cpu[@]}"); ZDC=$(median "${zd_cpu[@]}")
table="| case ($SIZE MiB disk, $RUNS runs, medians) | OpenDPM through the agent | peer | OpenDPM / peer speed | peer + sync of its output | OpenDPM / that |
| --- | --- | --- | --- | --- | --- |
| backup: agent reads, compresses, sends over TLS; server checks, writes, fsyncs, renames | $B s ($(mibs "$B")) | zstd -1 -T2: $ZC s ($(mibs "$ZC")) | $(ratio "$ZC" "$B")× | $ZCS s | $(ratio "$ZCS" "$B")× |
| image size | $IMG_BYTES bytes | zstd: $ZST_BYTES bytes | $(ratio "$IMG_BYTES" "$ZST_BYTES")× the size | | |
| restore: server reads, checks, sends; agent checks, decompresses, writes, fsyncs | $R s ($(mibs "$R")) | zstd -d: $ZD s ($(mibs "$ZD")) | $(ratio "$ZD" "$R")× | $ZDS s | $(ratio "$ZDS" "$R")× |
| backup CPU-seconds (agent + server; zstd's user + system) | $CB | zstd -1 -T2: $ZCC | $(ratio "$ZCC" "$CB")× | | |
| restore CPU-seconds (agent + server; zstd's user + system) | $CR | zstd -d: $ZDC | $(ratio "$ZDC" "$CR")× | | |"
echo "$table"
{
  echo "### $(date -u '+%Y-%m-%d %H:%M UTC') — \`$COMMAND\` (through the agent)"
  echo
  echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(java -version 2>&1 | head -1); zstd $(zstd --version | grep -o 'v[0-9.]*'). Server and agent share the machine's cores with each other, as zstd's two threads share them."
  echo
  echo "$table"
} > "$WORK/entry.md"
# At the end of the "Disk image" section, before the heading that follows it (or at the end of the file).
python3 - "$REPO/bench/RESULTS.md" "$WORK/entry.md" <<'PY'
import sys
path, entry = sys.argv[1], open(sys.argv[2]).read().strip("\n")
lines = open(path).read().rstrip("\n").split("\n")
start = lines.index("## Disk image")
end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
while end > start and lines[end - 1] == "":
    end -= 1
lines[end:end] = ["", entry]
open(path, "w").write("\n".join(lines) + "\n")
PY
