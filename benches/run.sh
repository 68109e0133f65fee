#!/usr/bin/env bash
# Benchmarks of the release binary, whole process as a user runs it, each against its yardstick
# (`k8sdoc --version`, grep, jq, parsing), measured interleaved; figures only, nothing passes or fails.
#   bash benches/run.sh                      # built-in, 10,000 and 100,000 scenario catalogs; cold
#                                            # build, search, a 1,000,000-line paste, analyze
#   SIZES=10000 ROUNDS=10 bash benches/run.sh
#   SKIP=cold,paste bash benches/run.sh      # leave parts out (cold, search, paste, analyze)
#   WORK=/tmp/k8sdoc-bench bash benches/run.sh   # keep generated inputs between runs
#   BEFORE=/path/to/older/k8sdoc bash benches/run.sh   # the older build too, in the same rounds
# The 100,000-scenario catalog is 220 MB of markdown and its cold build takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"
python3 benches/bench.py target/release/k8sdoc "$WORK" --sizes "${SIZES:-10000,100000}" \
  --rounds "${ROUNDS:-20}" --skip "${SKIP:-}" ${BEFORE:+--before "$BEFORE"}
