#!/usr/bin/env bash
# Embedding-engine report (issue 4 targets): single-option latency by JMH sample mode with the GC
# profiler (allocation per call), the same calls' percentiles recorded one by one in an
# HdrHistogram, and batch throughput (options/s) at 1 and 2 worker threads, each on the default
# model and on the 2 -> 64x4 -> 1 model it replaced (pinn.bench.BenchModels). About 6 minutes.
#
#   bench/engine-report.sh
#
# Needs bench/target/benchmarks.jar (./pinn build) and a JDK 25.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/benchmarks.jar
[[ -f "$JAR" ]] || { echo "engine-report: $JAR is missing; build it with ./pinn build" >&2; exit 1; }
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
"$JAVA" "${FLAGS[@]}" -jar "$JAR" 'EngineLatencyBenchmark|EngineThroughputBenchmark' -prof gc
for model in default 64x4; do "$JAVA" "${FLAGS[@]}" -cp "$JAR" pinn.bench.EngineLatencyReport 2000000 "$model"; done
