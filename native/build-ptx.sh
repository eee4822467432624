#!/usr/bin/env bash
# Regenerates the PTX of the CUDA backend from native/*.cu, one PTX file per source, into
# kernels/src/main/resources/pinn/kernels/cuda/ (or the folder given as $1). The PTX is committed,
# so building the project needs no CUDA toolkit; run this after changing a .cu or .cuh file
# (kernels' PtxFreshnessTest fails when the committed PTX no longer matches, where nvcc exists).
#
# Target: virtual architecture compute_75 (the oldest that CUDA 13's nvcc still accepts; the
# driver JIT-compiles it for the card at hand: sm_90 on an H100/H200), and PTX ISA 8.0, the
# newest that every CUDA 12.x driver accepts (CUDA 12.0 introduced it). nvcc 13 always writes
# `.version 9.0`, which CUDA 12 drivers refuse, and has no option to choose the ISA; these kernels
# use nothing newer than ISA 8.0 needs, so the script lowers the version line and then has ptxas
# assemble the result for sm_75 and sm_90, which fails if any instruction needs a newer ISA.
#
# -fmad=false: no contraction of a*b + c into one fused multiply-add, so the arithmetic is that of
# the Java reference backend, rounding for rounding (fma() in the source stays fused).
#
# Environment: NVCC (default: nvcc on the PATH, else /usr/local/cuda/bin/nvcc), PTXAS likewise.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="${1:-$ROOT/kernels/src/main/resources/pinn/kernels/cuda}"

ARCH=compute_75
PTX_ISA=8.0
FLAGS=(-ptx "-arch=$ARCH" -fmad=false -std=c++17)
CHECK_ARCHS=(sm_75 sm_90)

find_tool() {
  local name="$1" override="$2"
  if [[ -n "$override" ]]; then echo "$override"; return; fi
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  for dir in "${CUDA_HOME:-}" "${CUDA_PATH:-}" /usr/local/cuda /usr/local/cuda-13.0 /usr/local/cuda-12; do
    if [[ -n "$dir" && -x "$dir/bin/$name" ]]; then echo "$dir/bin/$name"; return; fi
  done
  echo "build-ptx.sh: $name not found (set ${name^^} or put the CUDA toolkit's bin/ on the PATH)" >&2
  exit 1
}
NVCC_BIN=$(find_tool nvcc "${NVCC:-}")
PTXAS_BIN=$(find_tool ptxas "${PTXAS:-}")
NVCC_RELEASE=$("$NVCC_BIN" --version | sed -n 's/.*release \([0-9.]*\), \(V[0-9.]*\).*/\1 \2/p')

mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for source in "$HERE"/*.cu; do
  name=$(basename "$source" .cu)
  # Sources are compiled from native/ itself, so nothing about the caller's folder reaches the PTX.
  (cd "$HERE" && "$NVCC_BIN" "${FLAGS[@]}" -o "$WORK/$name.raw.ptx" "$name.cu")
  original=$(sed -n 's/^\.version \([0-9.]*\)$/\1/p' "$WORK/$name.raw.ptx")
  [[ -n "$original" ]] || { echo "build-ptx.sh: no .version line in the PTX of $name.cu" >&2; exit 1; }
  sed "s/^\.version $original\$/.version $PTX_ISA/" "$WORK/$name.raw.ptx" > "$WORK/$name.ptx"
  for sm in "${CHECK_ARCHS[@]}"; do
    "$PTXAS_BIN" "-arch=$sm" -o "$WORK/$name.$sm.cubin" "$WORK/$name.ptx" \
      || { echo "build-ptx.sh: ptxas refused $name.ptx at .version $PTX_ISA for $sm" >&2; exit 1; }
  done
  # The hash of what the PTX was built from: common.cuh, then the source (PtxFreshnessTest checks it).
  hash=$(cat "$HERE/common.cuh" "$source" | sha256sum | cut -d' ' -f1)
  {
    echo "// pinn-ptx source: native/$name.cu"
    echo "// pinn-ptx sources-sha256: $hash"
    echo "// pinn-ptx built-by: nvcc $NVCC_RELEASE ${FLAGS[*]}; .version $original lowered to $PTX_ISA, assembled by ptxas for ${CHECK_ARCHS[*]}"
    cat "$WORK/$name.ptx"
  } > "$OUT/$name.ptx"
  echo "build-ptx.sh: $OUT/$name.ptx ($(grep -c '^\.visible \.entry' "$OUT/$name.ptx") kernels)"
done
