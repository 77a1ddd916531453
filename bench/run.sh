#!/usr/bin/env bash
# Copy benchmark (issue 3): bench/run.sh SCALE   (SCALE=1 ≈ 100 MB, SCALE=20 ≈ 2 GB)
# Builds Signalbox, then runs io.signalbox.bench.CopyBenchmark with the activities test classpath.
# See bench/README.md.
set -euo pipefail

SCALE="${1:-1}"
case "$SCALE" in
  '' | *[!0-9]*) echo "usage: bench/run.sh SCALE (a positive integer)" >&2; exit 2 ;;
esac
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

MVN_OFFLINE="${BENCH_MVN_OFFLINE:--o}"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "bench: building (./mvnw -q -B $MVN_OFFLINE install -DskipTests)"
  ./mvnw -q -B $MVN_OFFLINE install -DskipTests
  ./mvnw -q -B $MVN_OFFLINE -pl activities test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-cp.txt
fi

WORK="$(mktemp -d /tmp/signalbox-bench-XXXXXX)"
chmod 755 "$WORK"
echo "bench: scale $SCALE, work dir $WORK (logs: bench.log, postgres-copy-*.log)"
echo "bench: machine: $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"

CP="activities/target/test-classes:activities/target/classes:$(cat activities/target/bench-cp.txt)"
status=0
java -Xmx1g -cp "$CP" io.signalbox.bench.CopyBenchmark "$SCALE" "$ROOT" "$WORK" || status=$?
echo "bench: load after $(cut -d' ' -f1-3 /proc/loadavg); logs kept in $WORK"
exit $status
