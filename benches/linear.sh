#!/usr/bin/env bash
# Each hostile input of the reliability issue at two sizes, N and 4N: time and peak memory of
# the release binary. Linear work shows as a time ratio near 4 (and memory near 4 or flat);
# quadratic work as 16. Figures only; nothing here passes or fails.
#   bash benches/linear.sh [BIN]       # default: the release build
#   LIMIT=60 bash benches/linear.sh old-k8sdoc   # stop each run after 60 s
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/k8sdoc}
[ "$bin" = target/release/k8sdoc ] && cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export K8SDOC_CACHE_DIR="$work/cache" K8SDOC_CONFIG_DIR="$work/config"
gen() { python3 benches/gen_inputs.py "$@"; }

# "SECONDS PEAK_KB" of one run (exit status ignored: refusing deep YAML is the point).
measure() {
  local start end kb
  start=$(date +%s%N)
  kb=$(timeout "${LIMIT:-600}" /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 || true)
  [ -n "$kb" ] && [ "$kb" -eq "$kb" ] 2>/dev/null || kb="(killed after ${LIMIT:-600}s)"
  end=$(date +%s%N)
  echo "$(echo "scale=3; ($end - $start) / 1000000000" | bc) $kb"
}

row() { # name small_args... -- large_args...
  local name=$1; shift
  local small=() large=()
  while [ "$1" != -- ]; do small+=("$1"); shift; done; shift
  large=("$@")
  read -r t1 m1 < <(measure "${small[@]}")
  read -r t2 m2 < <(measure "${large[@]}")
  printf "%-44s %8ss %8s KB   %8ss %8s KB   time x%s\n" "$name" "$t1" "$m1" "$t2" "$m2" "$(echo "scale=1; $t2 / ($t1 + 0.0005)" | bc)"
}

"$bin" diagnose -s warm-up >/dev/null 2>&1 || true   # build the built-in catalog's index first
printf "%-44s %19s   %19s\n" "case" "N" "4N"
gen long-line "$work/line1" 250000;  gen long-line "$work/line4" 1000000
row "diagnose --from: one pasted line, 250 KB/1 MB" "$bin" diagnose --from "$work/line1" -- "$bin" diagnose --from "$work/line4"
gen typo-repeat "$work/typo1" 20000; gen typo-repeat "$work/typo4" 80000
# A short file with no signal is read as a typed description (typo correction applies).
row "typed: a typo repeated 20k/80k times" "$bin" diagnose --from "$work/typo1" -- "$bin" diagnose --from "$work/typo4"
mkdir -p "$work/y1" "$work/y4"
gen nested-yaml "$work/y1/config.yaml" 25000; gen nested-yaml "$work/y4/config.yaml" 100000
row "config.yaml nested 25k/100k levels" env K8SDOC_CONFIG_DIR="$work/y1" "$bin" config -- env K8SDOC_CONFIG_DIR="$work/y4" "$bin" config
gen long-body "$work/b1" 2000000; gen long-body "$work/b4" 8000000
# Each run builds its index: no cache directory.
row "index a scenario with a 2/8 MB body" env -u K8SDOC_CACHE_DIR HOME=/nonexistent "$bin" --scenarios "$work/b1" diagnose -s x -- env -u K8SDOC_CACHE_DIR HOME=/nonexistent "$bin" --scenarios "$work/b4" diagnose -s x
echo "   (catalog sizes: $(du -sb "$work/b1" | cut -f1) and $(du -sb "$work/b4" | cut -f1) bytes)"
gen dump-logs "$work/d1" 4500000; gen dump-logs "$work/d4" 18000000
row "analyze a dump with 4.5/18 MB of logs" "$bin" analyze "$work/d1" -- "$bin" analyze "$work/d4"
