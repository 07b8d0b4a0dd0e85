#!/usr/bin/env bash
# Console benchmark on a fresh server: the machine list of one group of 40,000 machines (first rows painted, scrolling)
# and 1,000 executions of 20 steps with their progress events (frame times in the Monitor view and the machine list),
# in headless Chromium driven by Selenium (see ConsoleBench.java for what is measured and checked).
# Usage: bench/console/run.sh   (needs the built tar.gz and agent jar: mvn install -DskipTests; Debian's chromium and
#        chromium-driver; Selenium comes from the itests module's test classpath in the local Maven repository,
#        MAVEN_REPO if it is not ~/.m2/repository). KEEP=1 keeps the temporary folder.
# Starts the distribution on free loopback ports (bench/lib/server.sh), runs the Java client, stops the server.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/lib/server.sh"
agent_jar="$top/bundles/org.opendpm.agent/target/opendpm-agent.jar"
[ -f "$agent_jar" ] || { echo "no agent jar: run 'mvn install -DskipTests' first" >&2; exit 1; }
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || { echo "needs chromium and chromium-driver" >&2; exit 1; }
work=$(mktemp -d)
cleanup() {
  bench_server_stop
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

repo=${MAVEN_REPO:-$HOME/.m2/repository}
(cd "$top" && mvn -B -q -o -Dmaven.repo.local="$repo" -pl itests dependency:build-classpath \
  -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test > /dev/null)

bench_server_start "$top" "$work"
bench_install_feature opendpm-plugin-scenario-fake
echo "machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1); $(/usr/bin/chromium --version); load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$(cat "$work/classpath")" "$top/bench/console/ConsoleBench.java" "http://127.0.0.1:$BENCH_HTTP" admin \
  "$BENCH_PASSWORD" "$agent_jar" "127.0.0.1:$BENCH_LINK" "$work/agent-state"
