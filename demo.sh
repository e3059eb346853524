#!/usr/bin/env bash
# Builds vantage and runs the demo (README: "Run the demo"). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -q -DskipTests package
echo "demo: a standalone agent probing local endpoints; metrics at http://127.0.0.1:9100/metrics"
exec java -jar agent/target/vantage-agent.jar --config examples/agent-standalone.yaml
