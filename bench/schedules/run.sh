#!/usr/bin/env bash
# SCH-3 figures at the inventory limit (40,000 machines), in one JVM over Derby on disk in a temporary folder:
# group batch schedule creation, group expansion at fire time, a whole firing, an explicit 40,000-machine schedule,
# and the space each costs; then the same batch handed to the real execution engine (EngineBatchBench). Prints figures;
# asserts nothing about time.
# Usage: bench/schedules/run.sh   (builds the scheduler module's classes and test classes offline first)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
module="$top/bundles/org.opendpm.scheduler"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$module" && mvn -B -ntp -o -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" \
  -Dmdep.includeScope=test)
cp="$module/target/classes:$module/target/test-classes:$(cat "$work/cp")"
javac -d "$work/classes" -cp "$cp" "$top"/bench/schedules/src/org/opendpm/scheduler/internal/schedule/*.java \
  "$top"/bench/schedules/src/org/opendpm/scheduler/internal/*.java
for bench in schedule.ScheduleBench EngineBatchBench; do
  java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dderby.stream.error.file="$work/derby.log" \
    -cp "$work/classes:$cp" "org.opendpm.scheduler.internal.$bench"
done
