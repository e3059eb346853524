#!/usr/bin/env bash
# Makes sure a Docker engine answers: starts Debian's dockerd in the background if none is running.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
command -v dockerd >/dev/null || { echo "start-docker: dockerd is not installed (Debian package docker.io)" >&2; exit 1; }
echo "start-docker: starting dockerd (log: /var/log/vantage-dockerd.log)"
nohup dockerd >/var/log/vantage-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "start-docker: engine ready"
    exit 0
  fi
  sleep 1
done
echo "start-docker: dockerd did not become ready within 60 s; its log:" >&2
tail -20 /var/log/vantage-dockerd.log >&2
exit 1
