#!/usr/bin/env bash
# The agent benchmark (docs/benchmarks.md): vantage agent vs blackbox_exporter vs a bare Vert.x client,
# all probing a local nginx with fresh connections at the same rate. Loopback only.
# Usage: bench/run.sh [CASES=1000,10000] [WINDOW_SECONDS=30] [WINDOWS=5]
#    or: bench/run.sh probe [CASES=http,https] [CONCURRENCY=16] [WINDOW_SECONDS=20] [WINDOWS=5] [PROBERS=vantage,blackbox]
#        (/probe probes per CPU-second, the agent beside blackbox_exporter: ProbeBenchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v prometheus-blackbox-exporter >/dev/null || need+=(prometheus-blackbox-exporter)
if ((${#need[@]})); then
  [[ $(id -u) -eq 0 ]] || { echo "bench: install ${need[*]} (Debian packages) first" >&2; exit 1; }
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
./mvnw -B -q -DskipTests package
if [[ "${1:-}" == probe ]]; then
  shift
  exec java -cp bench/target/vantage-bench.jar io.vantage.bench.ProbeBenchmark agent/target/vantage-agent.jar bench-out "$@"
fi
exec java -jar bench/target/vantage-bench.jar agent/target/vantage-agent.jar bench-out "${1:-1000,10000}" "${2:-30}" "${3:-5}"
