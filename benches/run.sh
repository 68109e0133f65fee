#!/usr/bin/env bash
# Benchmarks for `k8sdoc diagnose` (whole process, as a user runs it), against `grep -ric` over
# the same files. Figures only; nothing here passes or fails.
#   bash benches/run.sh            # built-in catalog, then generated 2,500 / 5,000 / 10,000 scenario catalogs
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/k8sdoc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export K8SDOC_CACHE_DIR="$work/cache" K8SDOC_CONFIG_DIR="$work/config"
query="pods stuck terminating"
runs=${RUNS:-30}

# Mean wall time of a command over $runs runs, in milliseconds.
mean_ms() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo "scale=2; ($end - $start) / $runs / 1000000" | bc
}
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "== built-in catalog ($(cat scenarios/*.md | wc -c) bytes of markdown)"
$bin diagnose -s "$query" >/dev/null   # build the index once
k=$(mean_ms $bin diagnose -s "$query")
g=$(mean_ms grep -ric "$query" scenarios/)
v=$(mean_ms $bin --version)
echo "diagnose (warm index): ${k} ms   grep -ric: ${g} ms   ratio: $(echo "scale=1; $k / $g" | bc)x   (k8sdoc --version: ${v} ms)"
echo "peak memory: $(peak_kb $bin diagnose -s "$query") KB"

for n in 2500 5000 10000; do
  dir="$work/gen$n"
  python3 benches/gen_catalog.py "$dir" "$n"
  size=$(cat "$dir"/*.md | wc -c)
  start=$(date +%s%N)
  $bin -q --scenarios "$dir" diagnose -s "$query" >/dev/null
  cold=$(( ($(date +%s%N) - start) / 1000000 ))
  k=$(mean_ms $bin -q --scenarios "$dir" diagnose -s "$query")
  g=$(mean_ms grep -ric "$query" "$dir")
  mem=$(peak_kb $bin -q --scenarios "$dir" diagnose -s "$query")
  echo "== $n scenarios, $size bytes: cold (index build) ${cold} ms; warm ${k} ms; grep -ric ${g} ms; ratio $(echo "scale=1; $k / $g" | bc)x; peak ${mem} KB = $(echo "scale=2; $mem * 1024 / $size" | bc)x catalog size; index $(du -b "$K8SDOC_CACHE_DIR" | cut -f1) bytes total in cache"
done

echo "== analyze: 100,000 events (kubectl get events -A -o json)"
python3 benches/gen_events.py "$work/events.json" 100000
start=$(date +%s%N)
mem=$(peak_kb $bin analyze "$work/events.json" --format json)
echo "analyze: $(( ($(date +%s%N) - start) / 1000000 )) ms, $(stat -c %s "$work/events.json") bytes, peak ${mem} KB"

echo "== analyze: 100,000 objects (pods and events, kubectl get pods,events -A -o json), against jq length"
python3 benches/gen_objects.py "$work/objects.json" 100000
size=$(stat -c %s "$work/objects.json")
for round in 1 2 3; do
  start=$(date +%s%N); mem=$(peak_kb $bin analyze "$work/objects.json" --format json); k=$(( ($(date +%s%N) - start) / 1000000 ))
  start=$(date +%s%N); jq length "$work/objects.json" > "$work/jq.out"; j=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "round $round: analyze ${k} ms, jq length ${j} ms, ratio $(echo "scale=2; $k / $j" | bc)x; peak ${mem} KB = $(echo "scale=2; $mem * 1024 / $size" | bc)x the ${size}-byte input"
done
