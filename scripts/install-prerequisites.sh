#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine and is a no-op where it is all present.
# Tests that need a tool fail loudly without it; this script is how a machine gets it.
set -euo pipefail

# moto_server (the AWS emulator the AWS tests run against) comes from PyPI, not Debian.
if ! command -v moto_server >/dev/null 2>&1; then
  echo "prerequisites: installing moto[server] with pip"
  if ! python3 -m pip install --quiet "moto[server]"; then
    echo "prerequisites: moto_server is missing and pip could not install it; install the Python package moto[server]" >&2
    exit 1
  fi
  hash -r
  command -v moto_server >/dev/null 2>&1 || { echo "prerequisites: moto_server installed but not on PATH" >&2; exit 1; }
fi

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)

if ((${#missing[@]} == 0)); then
  echo "prerequisites: all present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "prerequisites: missing Debian packages: ${missing[*]} - install them (apt-get install ${missing[*]}) or run as root" >&2
  exit 1
fi
echo "prerequisites: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts the Prometheus server on install; only promtool is wanted here.
if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus >/dev/null 2>&1 || true; fi
