#!/usr/bin/env bash
# GEMM report: runs FmaPeakBenchmark and GemmBenchmark in ONE JMH run (a few minutes with the
# default 3 × 1 s warm-up and 5 × 1 s measurement) and prints GFLOP/s and the fraction of the
# measured single-core FMA peak per shape, form and thread count.
#
#   bench/gemm-report.sh                          # everything
#   bench/gemm-report.sh -p shape=AB/4096/1       # one shape (any JMH argument works)
#
# Needs bench/target/benchmarks.jar (mvn -B package -pl bench -am -DskipTests) and a JDK 25.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/benchmarks.jar
[[ -f "$JAR" ]] || { echo "gemm-report: $JAR is missing; build it with: mvn -B package -pl bench -am -DskipTests" >&2; exit 1; }
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -cp "$JAR" pinn.bench.GemmReport "$@"
