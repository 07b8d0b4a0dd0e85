#!/usr/bin/env bash
# Inventory benchmark on a fresh server: 40,000-machine CSV import, page and group-tree latency, 1,000 concurrent
# registerSeen calls (see InventoryBench.java for what is measured and checked).
# Usage: bench/inventory/run.sh   (needs the built tar.gz: ./opendpm test or mvn install -DskipTests)
# Starts the distribution on free loopback ports (bench/lib/server.sh), runs the Java client, stops the server.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/lib/server.sh"
work=$(mktemp -d)
trap 'bench_server_stop; rm -rf "$work"' EXIT
bench_server_start "$top" "$work"
echo "machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1)"
java "$top/bench/inventory/InventoryBench.java" "http://127.0.0.1:$BENCH_HTTP" admin "$BENCH_PASSWORD"
