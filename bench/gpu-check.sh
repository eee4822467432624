#!/usr/bin/env bash
# The one-command GPU check of the CUDA backend, in two halves (see native/README.md).
#
#   bench/gpu-check.sh pack [DIR]          on a build machine (JDK 25, Maven; no GPU needed):
#                                          builds the project, jlinks a JDK 25 runtime with only the
#                                          modules the check needs, and puts it, the project's classes and this
#                                          script into DIR (default: gpu-check/ at the repository
#                                          root, ignored by git). At most 60 MiB; prints the size.
#   DIR/gpu-check.sh run [--quick|--emulate]
#   bench/gpu-check.sh run [--quick|--emulate]
#                                          on the GPU machine (NVIDIA driver; no JDK, Maven or
#                                          network needed): runs pinn.bench.GpuCheck with the packed
#                                          java, limited to 5 minutes: GPU-against-CPU agreement
#                                          (float64, 1e-12 relative) and timings, one table. Exit 0:
#                                          all agreed; 1: a disagreement; 2: no usable GPU (the probe
#                                          says why); 3: an unexpected error; 124: over 5 minutes.
#                                          --emulate runs against the emulated driver (no GPU).
#
# Environment: MVN (default mvn) for pack; GPU_CHECK_TIMEOUT (seconds, default 300) and
# GPU_CHECK_JAVA_OPTS (extra JVM options, e.g. -Dpinn.cuda.cublas=/path/libcublas.so.13) for run.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
HERE="$(dirname "$SELF")"
MAX_MIB=60
MODULES=java.base,jdk.incubator.vector
JVM_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g -Xss4m)

die() { echo "gpu-check: $*" >&2; exit 1; }

# A JDK >= 25 with jlink: JAVA_HOME if it is one, else the usual places.
find_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk*; do
    [[ -n "$candidate" && -x "$candidate/bin/jlink" && -f "$candidate/release" ]] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$candidate/release")
    if [[ -n "$version" && "$version" -ge 25 ]]; then echo "$candidate"; return; fi
  done
}

pack() {
  local root out jdk jar size_kib
  root="$(dirname "$HERE")"
  out="${1:-$root/gpu-check}"
  jdk=$(find_jdk)
  [[ -n "$jdk" ]] || die "pack needs a JDK 25 with jlink (set JAVA_HOME)"
  export JAVA_HOME="$jdk" PATH="$jdk/bin:$PATH"
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  echo "gpu-check: building with Maven (JDK at $jdk) ..."
  (cd "$root" && ${MVN:-mvn} -B -q -Dmaven.test.skip=true package -pl bench -am)
  jar="$root/bench/target/benchmarks.jar"
  [[ -f "$jar" ]] || die "the build made no $jar"
  rm -rf "$out"
  mkdir -p "$out"
  echo "gpu-check: jlinking a Java runtime with $MODULES ..."
  jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$out/jdk"
  # Only the project's own classes and resources (pinn/**: kernels with the PTX, autodiff, runtime with
  # the default model, bench): the check's code path uses no third-party library, and the emulated dry
  # run (run --emulate) proves it with exactly this jar.
  local classes
  classes=$(mktemp -d)
  (cd "$classes" && jar xf "$jar" pinn)
  jar --create --file "$out/gpu-check.jar" --main-class pinn.bench.GpuCheck -C "$classes" .
  rm -rf "$classes"
  cp "$SELF" "$out/gpu-check.sh"
  chmod +x "$out/gpu-check.sh"
  {
    echo "packed: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(cd "$root" && git rev-parse HEAD 2>/dev/null || echo unknown)$(cd "$root" && git diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "java: $("$out/jdk/bin/java" -version 2>&1 | head -1)"
    echo "modules: $MODULES"
  } > "$out/PACKED"
  size_kib=$(du -sk "$out" | cut -f1)
  echo "gpu-check: packed $out: $((size_kib / 1024)) MiB ($size_kib KiB): jdk/ $(du -sk "$out/jdk" | cut -f1) KiB, gpu-check.jar $(du -k "$out/gpu-check.jar" | cut -f1) KiB"
  [[ $size_kib -le $((MAX_MIB * 1024)) ]] || die "the pack is over $MAX_MIB MiB"
  echo "gpu-check: on the GPU machine run: bash $(basename "$out")/gpu-check.sh run"
}

run() {
  local dir java jar
  # the packed folder: this script's own folder when it was packed, else gpu-check/ beside bench/
  if [[ -x "$HERE/jdk/bin/java" && -f "$HERE/gpu-check.jar" ]]; then dir="$HERE"; else dir="$(dirname "$HERE")/gpu-check"; fi
  if [[ -x "$dir/jdk/bin/java" && -f "$dir/gpu-check.jar" ]]; then
    java="$dir/jdk/bin/java"
    jar="$dir/gpu-check.jar"
    [[ -f "$dir/PACKED" ]] && sed 's/^/gpu-check: /' "$dir/PACKED"
  else
    local jdk
    jdk=$(find_jdk)
    [[ -n "$jdk" && -f "$(dirname "$HERE")/bench/target/benchmarks.jar" ]] \
      || die "no packed runtime at $dir (run 'bench/gpu-check.sh pack' on a build machine) and no JDK 25 with a built bench/target/benchmarks.jar"
    java="$jdk/bin/java"
    jar="$(dirname "$HERE")/bench/target/benchmarks.jar"
  fi
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null \
    | sed 's/^/gpu-check: nvidia-smi: /' || true
  { ldconfig -p 2>/dev/null || true; } | grep -E 'libcuda\.so\.1 |libcublas(Lt)?\.so\.1[23] ' | sed 's/^[[:space:]]*/gpu-check: ldconfig: /' || true
  # shellcheck disable=SC2086
  exec timeout --kill-after=10 "${GPU_CHECK_TIMEOUT:-300}" "$java" "${JVM_FLAGS[@]}" ${GPU_CHECK_JAVA_OPTS:-} \
    -cp "$jar" pinn.bench.GpuCheck "$@"
}

command="${1:-}"
[[ $# -gt 0 ]] && shift
case "$command" in
  pack) pack "$@" ;;
  run) run "$@" ;;
  *) echo "usage: $0 pack [DIR] | run [--quick|--emulate]" >&2; exit 64 ;;
esac
