#!/usr/bin/env bash
# Deploy-OS network-boot benchmark: QEMU (TCG) boots from the network through Debian's iPXE ROM, fetches an iPXE
# script, the kernel and the initrd over plain HTTP, and the Deploy-OS agent says hello to the server.
#
# Usage:   bench/deployos/netboot.sh [RUNS]    (default 3)
# Needs:   the image (deployos/build-deployos.sh), qemu-system-x86, ipxe-qemu and python3.
# Peers:   a python3 HTTP server on 127.0.0.1 serving a temporary folder (boot.ipxe, vmlinuz, initrd.img), as the
#          server's own HTTP boot would; a TCP listener on 127.0.0.1 standing for the agent link. QEMU's user network
#          maps 10.0.2.2 to 127.0.0.1.
# Machine: QEMU -m 512, -boot n, e1000 NIC on user networking with bootfile=http://10.0.2.2:HTTP/boot.ipxe, a 64 MiB
#          raw virtio disk; kernel command line as the opendpm-amd64 descriptor gives it plus what the server's boot
#          script adds: opendpm.server=10.0.2.2:LINK opendpm.fingerprint=<64 hex digits> opendpm.token=bench (the
#          listener speaks no TLS: the hello's TCP connection comes before the fingerprint is checked).
# Measures, from starting QEMU: the HTTP server's first request (the iPXE script: firmware, PXE ROM, DHCP), the
#          last byte of the initrd sent, and the first TCP connection on LINK (the agent's hello).
# Output:  a table on stdout, appended with the date and command to bench/RESULTS.md (section Deploy-OS).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
IMAGE=$REPO/deployos/target/opendpm-deployos-amd64
RUNS=${1:-3}
COMMAND="bench/deployos/netboot.sh${*:+ $*}"
ARGUMENTS="console=tty0 console=ttyS0 quiet" # the opendpm-amd64 descriptor's (plugin deployos.opendpm)

for bin in qemu-system-x86_64 python3; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install -y qemu-system-x86 python3)" >&2; exit 1; }
done
ls /usr/lib/ipxe/qemu/*e1000*.rom >/dev/null 2>&1 || { echo "missing iPXE ROMs (apt-get install -y ipxe-qemu)" >&2; exit 1; }
[ -f "$IMAGE/initrd.img" ] || { echo "no image in $IMAGE: run deployos/build-deployos.sh" >&2; exit 1; }

WORK=$(mktemp -d /tmp/deployos-netboot.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
truncate -s 64M "$WORK/disk.raw"
mkdir "$WORK/www"
ln -s "$IMAGE/vmlinuz" "$WORK/www/vmlinuz"
ln -s "$IMAGE/initrd.img" "$WORK/www/initrd.img"

# Serves www/ on a loopback port, listens for the agent on another, writes boot.ipxe naming both, starts QEMU (HTTP
# in its arguments replaced by the web port), and prints "request initrd hello" in seconds from starting QEMU
# (exit 1 after 300 s without a hello). QEMU and the web server are stopped either way.
cat > "$WORK/netboot.py" <<'PY'
import functools, http.server, os, socket, subprocess, sys, threading, time
www, log_path, arguments = sys.argv[1], sys.argv[2], sys.argv[3]
events = {}
t0 = None

class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        events.setdefault("request", time.monotonic())
        super().do_GET()
        if self.path.endswith("/initrd.img"):
            events.setdefault("initrd", time.monotonic())
    def log_message(self, fmt, *args):
        pass

web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=www))
web_port = web.server_address[1]
threading.Thread(target=web.serve_forever, daemon=True).start()
link = socket.socket()
link.bind(("127.0.0.1", 0))
link.listen(1)
link.settimeout(300)
link_port = link.getsockname()[1]
with open(os.path.join(www, "boot.ipxe"), "w") as f:
    f.write("#!ipxe\n"
            "kernel http://10.0.2.2:%d/vmlinuz %s opendpm.server=10.0.2.2:%d "
            "opendpm.fingerprint=%s opendpm.token=bench\n"
            "initrd http://10.0.2.2:%d/initrd.img\n"
            "boot\n" % (web_port, arguments, link_port, "ab" * 32, web_port))
log = open(log_path, "wb")
t0 = time.monotonic()
qemu = subprocess.Popen([a.replace("HTTP", str(web_port)) for a in sys.argv[4:]], stdin=subprocess.DEVNULL,
                        stdout=log, stderr=subprocess.STDOUT)
try:
    c, _ = link.accept()
    hello = time.monotonic()
    if "request" not in events or "initrd" not in events:
        print("agent connected without the boot files fetched over HTTP", file=sys.stderr)
        sys.exit(1)
    print("%.1f %.1f %.1f" % (events["request"] - t0, events["initrd"] - t0, hello - t0))
except socket.timeout:
    print("web server requests: %s" % sorted(events), file=sys.stderr)
    sys.exit(1)
finally:
    qemu.kill()
    qemu.wait()
    web.shutdown()
PY

requests=(); initrds=(); hellos=(); after=()
for run in $(seq 1 "$RUNS"); do
  line=$(python3 "$WORK/netboot.py" "$WORK/www" "$WORK/console-$run.log" "$ARGUMENTS" \
    qemu-system-x86_64 -m 512 -nographic -no-reboot -boot n \
    -netdev "user,id=n0,bootfile=http://10.0.2.2:HTTP/boot.ipxe" -device e1000,netdev=n0 \
    -drive "file=$WORK/disk.raw,if=virtio,format=raw") \
    || { echo "run $run: no agent hello within 300 s; console:" >&2; tail -20 "$WORK/console-$run.log" >&2; exit 1; }
  read -r request initrd hello <<< "$line"
  echo "run $run: first HTTP request $request s, initrd sent $initrd s, agent hello $hello s"
  requests+=("$request"); initrds+=("$initrd"); hellos+=("$hello")
  after+=("$(awk -v a="$request" -v b="$hello" 'BEGIN { printf "%.1f", b - a }')")
done

. "$HERE/common.sh"
table="$(image_rows)
| QEMU start to the first HTTP request (SeaBIOS, iPXE ROM, DHCP, boot.ipxe), $RUNS runs | $(runs "${requests[@]}") s (median $(median "${requests[@]}") s) |
| QEMU start to the initrd's last byte sent | $(runs "${initrds[@]}") s (median $(median "${initrds[@]}") s) |
| first HTTP request to the agent's hello (first TCP connection) | $(runs "${after[@]}") s (median $(median "${after[@]}") s) |
| QEMU start to the agent's hello, total | $(runs "${hellos[@]}") s (median $(median "${hellos[@]}") s) |"
echo "$table"
append_results "(network boot: iPXE over HTTP)" "Debian ipxe-qemu $(dpkg-query -W -f '${Version}' ipxe-qemu 2>/dev/null || echo '?'); peer web server: python3 $(python3 -c 'import platform; print(platform.python_version())') http.server on 127.0.0.1" "$table"
