#!/usr/bin/env bash
# Builds, once, the local base images the container tests and builds use where no registry can be reached:
# a Debian JRE image (debootstrap + openjdk-17-jre-headless) passed to the aggregator's and demo's Dockerfiles
# as BASE_IMAGE; the agent's small base (a jlinked JDK 25 runtime with only glibc, bash and busybox beside it,
# docs/benchmarks.md "The image"); and a busybox image that Testcontainers uses as its tiny helper image.
# Cached: an image that exists is not rebuilt. The Debian mirror is the one apt already uses on this machine.
set -euo pipefail

JRE_IMAGE="${VANTAGE_JRE_IMAGE:-vantage/jre:17}"
TINY_IMAGE="${VANTAGE_TINY_IMAGE:-vantage/busybox:local}"
AGENT_BASE_IMAGE="${VANTAGE_AGENT_BASE_IMAGE:-vantage/jre:25-slim}"
# The modules the agent loads classes from (-Xlog:class+load over every probe kind); the security providers'
# optional modules (smartcard, Kerberos, PKCS#11, XML signatures) and java.desktop (two annotation types that
# Jackson looks for and does without) are left out.
AGENT_MODULES=java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.management.jfr,jdk.unsupported

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
if ! docker image inspect "$AGENT_BASE_IMAGE" >/dev/null 2>&1; then
  jdk=
  for release in "${VANTAGE_AOT_JAVA:+$(dirname "$(dirname "$VANTAGE_AOT_JAVA")")/release}" /usr/lib/jvm/*/release; do
    [[ -n "$release" && -f "$release" ]] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
    if [[ -n "$version" && "$version" -ge 25 && -x "$(dirname "$release")/bin/jlink" ]]; then jdk=$(dirname "$release"); break; fi
  done
  [[ -n "$jdk" ]] || { echo "base images: $AGENT_BASE_IMAGE needs a JDK 25 or later with jlink in /usr/lib/jvm (or VANTAGE_AOT_JAVA)" >&2; exit 1; }
  echo "base images: building $AGENT_BASE_IMAGE (jlink of $jdk, glibc, bash, busybox)"
  rootfs=$(mktemp -d)
  "$jdk/bin/jlink" --add-modules "$AGENT_MODULES" --strip-debug --no-man-pages --no-header-files --generate-cds-archive \
    --output "$rootfs/opt/java"
  rm -f "$rootfs/opt/java/lib/server/classes_nocoops.jsa" # for heaps over 32 GB only
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  for tool in sh head grep cat ls ps wget nc env sleep; do ln -s busybox "$rootfs/bin/$tool"; done
  cp /bin/bash "$rootfs/bin/bash"
  # The shared libraries of bash and the JVM (Netty's epoll and BoringSSL libraries need only these too).
  for lib in $(ldd /bin/bash "$rootfs/opt/java/bin/java" "$rootfs/opt/java/lib/server/libjvm.so" "$rootfs"/opt/java/lib/*.so \
      | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u) /lib/x86_64-linux-gnu/libpthread.so.0 /lib/x86_64-linux-gnu/librt.so.1 /lib/x86_64-linux-gnu/libdl.so.2; do
    case "$lib" in "$rootfs"/*) continue ;; esac
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nvantage:x:10001:10001:vantage:/tmp:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nvantage:x:10001:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/opt/java/bin:/bin JAVA_HOME=/opt/java' - "$AGENT_BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi
echo "base images: $JRE_IMAGE, $AGENT_BASE_IMAGE and $TINY_IMAGE present"
