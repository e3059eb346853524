#!/usr/bin/env bash
# Installs the prerequisites, builds everything and runs every test (README: "Run the tests").
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh
./mvnw -B verify "$@"
