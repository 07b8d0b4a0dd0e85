#!/usr/bin/env bash
# Console benchmark on a fresh server: the machine list of one group of 40,000 machines (first rows painted, scrolling)
# and 1,000 executions of 20 steps with their progress events (frame times in the Monitor view and the machine list),
# in headless Chromium driven by Selenium (see ConsoleBench.java for what is measured and checked).
# Usage: bench/console/run.sh   (needs the built tar.gz and agent jar: mvn install -DskipTests; Debian's chromium and
#        chromium-driver; Selenium comes from the itests module's test classpath in the local Maven repository,
#        MAVEN_REPO if it is not ~/.m2/repository)
# Unpacks the distribution into a temporary folder on free loopback ports, starts `bin/karaf server`, waits for REST,
# runs the Java client, stops the server it started (by its process group) and removes the folder.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dist=$(ls "$top"/karaf-assembly/target/opendpm-karaf-*.tar.gz 2>/dev/null | head -1)
agent_jar="$top/bundles/org.opendpm.agent/target/opendpm-agent.jar"
[ -n "$dist" ] && [ -f "$agent_jar" ] || { echo "no distribution or agent jar: run 'mvn install -DskipTests' first" >&2; exit 1; }
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || { echo "needs chromium and chromium-driver" >&2; exit 1; }
work=$(mktemp -d)
server_pgid=""
cleanup() {
  if [ -n "$server_pgid" ]; then
    kill -TERM -- "-$server_pgid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 -- "-$server_pgid" 2>/dev/null || break; sleep 0.2; done
  fi
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
password="bench password 123"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

repo=${MAVEN_REPO:-$HOME/.m2/repository}
(cd "$top" && mvn -B -q -o -Dmaven.repo.local="$repo" -pl itests dependency:build-classpath \
  -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test > /dev/null)

home="$work/server"
mkdir -p "$home" && tar -xzf "$dist" -C "$home" --strip-components=1
http=$(free_port); ssh=$(free_port); link=$(free_port)
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $http/" "$home/etc/org.ops4j.pax.web.cfg"
sed -i "s/^sshPort *=.*/sshPort = $ssh/" "$home/etc/org.apache.karaf.shell.cfg"
sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(free_port)/; s/^rmiServerPort *=.*/rmiServerPort = $(free_port)/" \
  "$home/etc/org.apache.karaf.management.cfg"
cat > "$home/etc/org.opendpm.transfer.cfg" <<CFG
address = 127.0.0.1
port = $link
discoveryPort = 0
maxConnectionsPerSecondPerAddress = 2000
maxConnectionsPerSecond = 2000
CFG
# A session of its own, so the server and everything it started can be stopped by process group.
OPENDPM_ADMIN_PASSWORD="$password" setsid "$home/bin/karaf" server > "$home/console.log" 2>&1 &
server_pgid=$!
api="http://127.0.0.1:$http/opendpm/api/v1"
for _ in $(seq 1 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" "$api/executions")" = 200 ] && break
  sleep 0.5
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" "$api/executions")" = 200 ] \
  || { echo "no REST after 120 s; see $home/data/log/karaf.log" >&2; exit 1; }
for _ in $(seq 1 30); do
  echo "feature:install opendpm-plugin-scenario-fake" | "$home/bin/client" -h 127.0.0.1 -a "$ssh" -u admin -p "$password" -b \
    > /dev/null 2>&1 && break
  sleep 1
done
echo "machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1); $(/usr/bin/chromium --version); load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$(cat "$work/classpath")" "$top/bench/console/ConsoleBench.java" "http://127.0.0.1:$http" admin "$password" \
  "$agent_jar" "127.0.0.1:$link" "$work/agent-state"
