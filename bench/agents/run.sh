#!/usr/bin/env bash
# Agent link benchmark on a fresh server: N agents (default 2,000), each a real TCP+TLS connection on loopback from
# one load-generator JVM (`opendpm-agent.jar --simulate N`), then one scenario of STEPS agent commands (the fake tab
# with "repeat": STEPS; the simulated agents answer without starting a process) executed on all of them, twice.
# Measures server heap per connected agent, server CPU while the agents only send heartbeats, executions and steps
# completed per second end to end, and server heap per execution (see AgentBench.java).
# Usage: bench/agents/run.sh [AGENTS [STEPS]]   (default 2000 agents, 1 step; needs the built tar.gz and agent jar:
#        ./opendpm test or mvn install -DskipTests)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
agents=${1:-2000}
steps=${2:-1}
dist=$(ls "$top"/karaf-assembly/target/opendpm-karaf-*.tar.gz 2>/dev/null | head -1)
agent_jar="$top/bundles/org.opendpm.agent/target/opendpm-agent.jar"
[ -n "$dist" ] && [ -f "$agent_jar" ] || { echo "no distribution or agent jar: run 'mvn install -DskipTests' first" >&2; exit 1; }
work=$(mktemp -d)
server_pgid=""
agents_pid=""
cleanup() {
  [ -n "$agents_pid" ] && kill "$agents_pid" 2>/dev/null || true
  if [ -n "$server_pgid" ]; then
    kill -TERM -- "-$server_pgid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 -- "-$server_pgid" 2>/dev/null || break; sleep 0.2; done
  fi
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
password="bench password 123"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

home="$work/server"
mkdir -p "$home" && tar -xzf "$dist" -C "$home" --strip-components=1
http=$(free_port); ssh=$(free_port); link=$(free_port)
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $http/" "$home/etc/org.ops4j.pax.web.cfg"
sed -i "s/^sshPort *=.*/sshPort = $ssh/" "$home/etc/org.apache.karaf.shell.cfg"
sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(free_port)/; s/^rmiServerPort *=.*/rmiServerPort = $(free_port)/" \
  "$home/etc/org.apache.karaf.management.cfg"
# All agents come from one address here, so the per-address connection limit is raised for the run.
cat > "$home/etc/org.opendpm.transfer.cfg" <<CFG
address = 127.0.0.1
port = $link
discoveryPort = 0
maxConnectionsPerSecondPerAddress = 2000
maxConnectionsPerSecond = 2000
CFG
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
server_java=$(pgrep -f "karaf.home=$home" | head -1)
echo "machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1); agents: $agents; steps: $steps; load average $(cut -d' ' -f1-3 /proc/loadavg)"
java "$top/bench/agents/AgentBench.java" "http://127.0.0.1:$http" admin "$password" "$agents" "$server_java" \
  "$agent_jar" "127.0.0.1:$link" "$work/agent-state" "$steps"
