#!/usr/bin/env bash
# Cold start to REST-ready, and plugin hot-swap latency, of the OpenDPM distribution.
# Usage: bench/startup-and-hotswap.sh [runs]   (default 5; needs the built tar.gz: ./opendpm test or mvn install)
#        DIST=other.tar.gz bench/startup-and-hotswap.sh [runs]   measures another build (an earlier commit's, to compare)
# Each run unpacks a fresh server on free loopback ports, starts `bin/karaf server`, and measures:
#   start     from launching bin/karaf to the first authenticated 200 on /plugins (database migrated, admin created)
#   uninstall from launching `bin/client feature:uninstall opendpm-plugin-deployos-vmware` to its models leaving
#             /deployos/models, and the part of that after the command returned
#   install   the same for feature:install bringing them back
set -euo pipefail
runs=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
dist=${DIST:-$(ls "$top"/karaf-assembly/target/opendpm-karaf-*.tar.gz 2>/dev/null | head -1)}
[ -n "$dist" ] || { echo "no distribution: run 'mvn install -DskipTests' first" >&2; exit 1; }
work=$(mktemp -d)
trap 'pkill -f "karaf.home=$work" 2>/dev/null || true; rm -rf "$work"' EXIT
password="bench password 123"
model="VMware ESXi Virtual Machine 003"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

: > "$work/start" ; : > "$work/uninstall" ; : > "$work/install" ; : > "$work/uninstall_after" ; : > "$work/install_after"
for i in $(seq 1 "$runs"); do
  home="$work/run$i"
  mkdir -p "$home" && tar -xzf "$dist" -C "$home" --strip-components=1
  http=$(free_port); ssh=$(free_port)
  sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $http/" "$home/etc/org.ops4j.pax.web.cfg"
  sed -i "s/^sshPort *=.*/sshPort = $ssh/" "$home/etc/org.apache.karaf.shell.cfg"
  sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(free_port)/; s/^rmiServerPort *=.*/rmiServerPort = $(free_port)/" \
    "$home/etc/org.apache.karaf.management.cfg"
  api="http://127.0.0.1:$http/opendpm/api/v1"
  t0=$(now)
  OPENDPM_ADMIN_PASSWORD="$password" "$home/bin/karaf" server > "$home/console.log" 2>&1 &
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" "$api/plugins")" = 200 ]; do
    sleep 0.05
    [ $(ms "$t0" "$(now)") -lt 120000 ] || { echo "run $i: no REST after 120 s" >&2; exit 1; }
  done
  ms "$t0" "$(now)" >> "$work/start"

  has_model() { curl -s -u "admin:$password" "$api/deployos/models" | grep -q "\"$model\""; }
  # SSH may come up a moment after REST: retry the client a few times before giving up loudly.
  client() {
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      echo "$1" | "$home/bin/client" -a "$ssh" -u admin -p "$password" -b > "$home/client.log" 2>&1 && return 0
      sleep 0.5
    done
    echo "run $i: bin/client failed: $(tail -3 "$home/client.log")" >&2
    exit 1
  }
  for action in uninstall install; do
    t0=$(now)
    client "feature:$action opendpm-plugin-deployos-vmware"
    t1=$(now)
    if [ $action = uninstall ]; then while has_model; do sleep 0.01; done; else until has_model; do sleep 0.01; done; fi
    t2=$(now)
    ms "$t0" "$t2" >> "$work/$action"
    ms "$t1" "$t2" >> "$work/${action}_after"
  done
  pkill -f "karaf.home=$home" || true
  while pgrep -f "karaf.home=$home" > /dev/null; do sleep 0.2; done
  echo "run $i: start $(tail -1 "$work/start") ms, uninstall $(tail -1 "$work/uninstall") ms ($(tail -1 "$work/uninstall_after") after the command), install $(tail -1 "$work/install") ms ($(tail -1 "$work/install_after") after the command)"
done
echo "median of $runs: start $(median < "$work/start") ms; uninstall visible $(median < "$work/uninstall") ms ($(median < "$work/uninstall_after") ms after the command returned); install visible $(median < "$work/install") ms ($(median < "$work/install_after") ms after)"
