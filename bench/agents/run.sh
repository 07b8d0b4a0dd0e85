#!/usr/bin/env bash
# Agent link benchmark on a fresh server: N agents (default 2,000), each a real TCP+TLS connection on loopback from
# one load-generator JVM (`opendpm-agent.jar --simulate N`), then one scenario of STEPS agent commands (the fake tab
# with "repeat": STEPS; the simulated agents answer without starting a process) executed on all of them, twice.
# Measures server heap per connected agent, server CPU while the agents only send heartbeats, executions and steps
# completed per second end to end, and server heap per execution (see AgentBench.java).
# Usage: bench/agents/run.sh [AGENTS [STEPS]]   (default 2000 agents, 1 step; needs the built tar.gz and agent jar:
#        ./opendpm test or mvn install -DskipTests). KEEP=1 keeps the temporary folder.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/lib/server.sh"
agents=${1:-2000}
steps=${2:-1}
agent_jar="$top/bundles/org.opendpm.agent/target/opendpm-agent.jar"
[ -f "$agent_jar" ] || { echo "no agent jar: run 'mvn install -DskipTests' first" >&2; exit 1; }
work=$(mktemp -d)
cleanup() {
  bench_server_stop
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
bench_server_start "$top" "$work"
bench_install_feature opendpm-plugin-scenario-fake
server_java=$(pgrep -f "karaf.home=$BENCH_HOME" | head -1)
echo "machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1); agents: $agents; steps: $steps; load average $(cut -d' ' -f1-3 /proc/loadavg)"
java "$top/bench/agents/AgentBench.java" "http://127.0.0.1:$BENCH_HTTP" admin "$BENCH_PASSWORD" "$agents" "$server_java" \
  "$agent_jar" "127.0.0.1:$BENCH_LINK" "$work/agent-state" "$steps"
