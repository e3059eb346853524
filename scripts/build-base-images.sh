#!/usr/bin/env bash
# Builds, once, the two local base images the container tests and builds use where no registry can be
# reached: a Debian JRE image (debootstrap + openjdk-17-jre-headless) passed to the project's Dockerfiles
# as BASE_IMAGE, and a busybox image that Testcontainers uses as its tiny helper image. Cached: an image
# that exists is not rebuilt. The Debian mirror is the one apt already uses on this machine.
set -euo pipefail

JRE_IMAGE="${VANTAGE_JRE_IMAGE:-vantage/jre:17}"
TINY_IMAGE="${VANTAGE_TINY_IMAGE:-vantage/busybox:local}"

if ! docker image inspect "$TINY_IMAGE" >/dev/null 2>&1; then
  echo "base images: building $TINY_IMAGE from busybox-static"
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/tmp"
  cp "$(command -v busybox)" "$dir/bin/busybox"
  for tool in sh ls cat echo wget sleep true false env ps grep head tail mkdir rm nc; do ln -s busybox "$dir/bin/$tool"; done
  tar -C "$dir" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$TINY_IMAGE" >/dev/null
  rm -rf "$dir"
fi

if ! docker image inspect "$JRE_IMAGE" >/dev/null 2>&1; then
  mirror=$(grep -hoE '^(URIs:|deb) +[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -v security | awk '{print $2}' | head -1 || true)
  [[ -n "$mirror" ]] || { echo "base images: cannot find the Debian mirror apt uses" >&2; exit 1; }
  rootfs=$(mktemp -d)
  echo "base images: debootstrap bookworm with openjdk-17-jre-headless from $mirror (about 90 s)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$rootfs" "$mirror" >/tmp/vantage-debootstrap.log 2>&1 \
    || { echo "base images: debootstrap failed; see /tmp/vantage-debootstrap.log" >&2; tail -5 /tmp/vantage-debootstrap.log >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$JRE_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi
echo "base images: $JRE_IMAGE and $TINY_IMAGE present"
