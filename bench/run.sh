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

# Maven goes online by default, so a fresh machine fetches the plugins and dependencies it lacks
# (the dependency plugin among them); BENCH_MVN_OPTS=-o works offline once they are cached.
# One reactor build of activities and the modules it needs: nothing is installed into ~/.m2, the
# reactor hands workflows' classes and test classes to activities' class path directly.
MVN_OPTS="${BENCH_MVN_OPTS:-}"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "bench: building (./mvnw -q -B $MVN_OPTS -pl activities -am test-compile dependency:build-classpath)"
  # shellcheck disable=SC2086 # MVN_OPTS is a list of options
  ./mvnw -q -B $MVN_OPTS -pl activities -am test-compile dependency:build-classpath \
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
