#!/usr/bin/env bash
# Builds vantage and runs the demo (README: "The demo"): an aggregator, three agents (one per
# "region") and three breakable endpoints in one process, CloudWatch in dry-run. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -q -DskipTests package
exec java -jar demo/target/vantage-demo.jar --port "${VANTAGE_DEMO_PORT:-8080}"
