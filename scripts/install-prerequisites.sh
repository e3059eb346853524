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

# A JDK 25 or later for the agent's AOT cache (the build trains it; LauncherIT fails without it) and its image's small
# base (build-base-images.sh jlinks it). Debian bookworm
# packages none: a Temurin 25 in /usr/lib/jvm (or JAVA_HOME, or VANTAGE_AOT_JAVA) is what this machine has.
found_jdk25=
for release in "${VANTAGE_AOT_JAVA:+$(dirname "$(dirname "$VANTAGE_AOT_JAVA")")/release}" "${JAVA_HOME:+$JAVA_HOME/release}" /usr/lib/jvm/*/release; do
  [[ -n "$release" && -f "$release" ]] || continue
  version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  if [[ -n "$version" && "$version" -ge 25 ]]; then found_jdk25=$release; break; fi
done
if [[ -z "$found_jdk25" ]]; then
  echo "prerequisites: no JDK 25 or later (VANTAGE_AOT_JAVA, JAVA_HOME, /usr/lib/jvm): the agent is built without its AOT cache and LauncherIT will fail; install one (e.g. Temurin 25) in /usr/lib/jvm" >&2
fi

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# The /probe conformance tests (BlackboxConformanceIT, ProbeScrapeIT) run the real blackbox_exporter beside the agent.
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || missing+=(prometheus-blackbox-exporter)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
# The demo page's browser test (DemoPageBrowserIT) loads it in headless Chromium.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

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
# Debian starts the Prometheus server and blackbox_exporter on install; the tests start their own.
if command -v systemctl >/dev/null 2>&1; then
  systemctl stop prometheus >/dev/null 2>&1 || true
  systemctl stop prometheus-blackbox-exporter >/dev/null 2>&1 || true
fi
