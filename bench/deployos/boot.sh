#!/usr/bin/env bash
# Deploy-OS boot benchmark: power-on (QEMU started, TCG, SeaBIOS) to the agent's first TCP connection to the server.
#
# Usage:   bench/deployos/boot.sh [RUNS]    (default 3)
# Needs:   the image (deployos/build-deployos.sh), qemu-system-x86 and python3 (the listener).
# Machine: QEMU -m 512, e1000 NIC on user networking, a 64 MiB raw virtio disk; kernel command line as the
#          opendpm-amd64 descriptor gives it plus opendpm.server=10.0.2.2:PORT (QEMU maps it to 127.0.0.1:PORT), a
#          well-formed opendpm.fingerprint (the agent needs one; the listener speaks no TLS, the first TCP connection
#          comes before it is checked) and opendpm.token.
# Output:  a table on stdout, appended with the date and command to bench/RESULTS.md (section Deploy-OS).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
IMAGE=$REPO/deployos/target/opendpm-deployos-amd64
RUNS=${1:-3}
COMMAND="bench/deployos/boot.sh${*:+ $*}"

for bin in qemu-system-x86_64 python3; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install -y qemu-system-x86 python3)" >&2; exit 1; }
done
[ -f "$IMAGE/initrd.img" ] || { echo "no image in $IMAGE: run deployos/build-deployos.sh" >&2; exit 1; }

WORK=$(mktemp -d /tmp/deployos-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
truncate -s 64M "$WORK/disk.raw"

# Binds a loopback port, starts QEMU with PORT in its arguments replaced by it, and prints the seconds from starting
# QEMU to the first connection (exit 1 after 300 s without one). QEMU is killed either way.
cat > "$WORK/boot.py" <<'PY'
import socket, subprocess, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(300)
port = str(s.getsockname()[1])
log = open(sys.argv[1], "wb")
t0 = time.monotonic()
qemu = subprocess.Popen([a.replace("PORT", port) for a in sys.argv[2:]], stdin=subprocess.DEVNULL, stdout=log,
                        stderr=subprocess.STDOUT)
try:
    c, _ = s.accept()
    print("%.1f" % (time.monotonic() - t0))
except socket.timeout:
    sys.exit(1)
finally:
    qemu.kill()
    qemu.wait()
PY

results=()
for run in $(seq 1 "$RUNS"); do
  seconds=$(python3 "$WORK/boot.py" "$WORK/console-$run.log" qemu-system-x86_64 -m 512 -nographic -no-reboot \
    -kernel "$IMAGE/vmlinuz" -initrd "$IMAGE/initrd.img" \
    -append "console=tty0 console=ttyS0 quiet opendpm.server=10.0.2.2:PORT opendpm.fingerprint=$(printf 'ab%.0s' $(seq 32)) opendpm.token=bench" \
    -netdev user,id=n0 -device e1000,netdev=n0 -drive "file=$WORK/disk.raw,if=virtio,format=raw") \
    || { echo "run $run: no connection within 300 s; console:" >&2; tail -20 "$WORK/console-$run.log" >&2; exit 1; }
  echo "run $run: $seconds s"
  results+=("$seconds")
done

. "$HERE/common.sh"
table="$(image_rows)
| power-on to the agent's first TCP connection, TCG, $RUNS runs | $(runs "${results[@]}") s (median $(median "${results[@]}") s) |"
echo "$table"
append_results "" "" "$table"
