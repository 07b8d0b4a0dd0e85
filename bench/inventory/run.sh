#!/usr/bin/env bash
# Inventory benchmark on a fresh server: 40,000-machine CSV import, page and group-tree latency, 1,000 concurrent
# registerSeen calls (see InventoryBench.java for what is measured and checked).
# Usage: bench/inventory/run.sh   (needs the built tar.gz: ./opendpm test or mvn install -DskipTests)
# Unpacks the distribution into a temporary folder on free loopback ports, starts `bin/karaf server`, waits for
# REST, runs the Java client, stops the server it started (by its process group) and removes the folder.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dist=$(ls "$top"/karaf-assembly/target/opendpm-karaf-*.tar.gz 2>/dev/null | head -1)
[ -n "$dist" ] || { echo "no distribution: run 'mvn install -DskipTests' first" >&2; exit 1; }
work=$(mktemp -d)
server_pgid=""
cleanup() {
  if [ -n "$server_pgid" ]; then
    kill -TERM -- "-$server_pgid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 -- "-$server_pgid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
password="bench password 123"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

home="$work/server"
mkdir -p "$home" && tar -xzf "$dist" -C "$home" --strip-components=1
http=$(free_port)
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $http/" "$home/etc/org.ops4j.pax.web.cfg"
sed -i "s/^sshPort *=.*/sshPort = $(free_port)/" "$home/etc/org.apache.karaf.shell.cfg"
sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(free_port)/; s/^rmiServerPort *=.*/rmiServerPort = $(free_port)/" \
  "$home/etc/org.apache.karaf.management.cfg"
# A session of its own, so the server and everything it started can be stopped by process group.
OPENDPM_ADMIN_PASSWORD="$password" setsid "$home/bin/karaf" server > "$home/console.log" 2>&1 &
server_pgid=$!
api="http://127.0.0.1:$http/opendpm/api/v1"
for _ in $(seq 1 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" "$api/groups")" = 200 ] && break
  sleep 0.5
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" "$api/groups")" = 200 ] \
  || { echo "no REST after 120 s; see $home/data/log/karaf.log" >&2; exit 1; }
echo "machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1)"
java "$top/bench/inventory/InventoryBench.java" "http://127.0.0.1:$http" admin "$password"
