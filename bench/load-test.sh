#!/usr/bin/env bash
# Load test of the HTTP service: starts ./pinn serve on a local port, runs the load generator
# (pinn.bench.LoadGenerator: single-option POST /v1/price at a fixed rate, open model, latency
# from the intended send time) at each rate given, then stops the server with SIGTERM.
#
#   bench/load-test.sh                    # 5000, 10000 and 20000 requests/s
#   bench/load-test.sh 15000 20000 25000  # other rates
#
# Environment: DURATION (s measured per rate, default 25), WARMUP (s before each measurement,
# default 10), CONNECTIONS (keep-alive connections, default 32), PORT (default 18080),
# SERVE_ARGS (extra arguments of ./pinn serve, e.g. "--io-threads 1"), JAVA_OPTS (the server's JVM;
# naming a collector, e.g. -XX:+UseG1GC, replaces ./pinn serve's default -XX:+UseParallelGC -Xmn64m).
# The client and the server share the machine's cores: what the client spends, the server lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=("$@")
[[ ${#RATES[@]} -gt 0 ]] || RATES=(5000 10000 20000)
DURATION="${DURATION:-25}" WARMUP="${WARMUP:-10}" CONNECTIONS="${CONNECTIONS:-32}" PORT="${PORT:-18080}"

./pinn build -q >/dev/null   # the runtime jar and bench/target/benchmarks.jar
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
[[ -x "$JAVA" ]] || JAVA=java

LOG=$(mktemp /tmp/pinn-serve.XXXXXX.log)
./pinn serve --port "$PORT" ${SERVE_ARGS:-} >"$LOG" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$LOG" && break
  kill -0 $SERVER 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.2
done
grep "listening on" "$LOG"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== warming the server up (JIT) at ${RATES[0]} requests/s for $((2 * WARMUP)) s, not measured"
"$JAVA" -Xmx512m -cp bench/target/benchmarks.jar pinn.bench.LoadGenerator --port "$PORT" --rate "${RATES[0]}" \
    --duration "$WARMUP" --warmup "$WARMUP" --connections "$CONNECTIONS" >/dev/null || true
status=0
for rate in "${RATES[@]}"; do
  echo "== $rate requests/s"
  "$JAVA" -Xmx512m -cp bench/target/benchmarks.jar pinn.bench.LoadGenerator --port "$PORT" --rate "$rate" \
      --duration "$DURATION" --warmup "$WARMUP" --connections "$CONNECTIONS" || status=1
done
exit $status
