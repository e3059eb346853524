#!/usr/bin/env bash
# Installs the prerequisites (Debian packages, moto), starts the Docker engine, builds the local base
# images once, then builds everything and runs every test (README: "The two commands").
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh
scripts/start-docker.sh
scripts/build-base-images.sh
./mvnw -B verify "$@"
