#!/usr/bin/env bash
# Builds, once, the local base images the container tests and builds use where no registry can be reached:
# a Debian JRE image (debootstrap + openjdk-17-jre-headless) passed to the aggregator's and demo's Dockerfiles
# as BASE_IMAGE; the agent's small base (a jlinked JDK 25 runtime with only glibc, bash and busybox beside it,
# docs/benchmarks.md "The image"); a busybox image that Testcontainers uses as its tiny helper image; and, for the
# compose demo (docker-compose.yml), Prometheus (Debian's binary on busybox) and moto_server (Debian's python3 with the
# moto[server] this machine's python3 has, scripts/install-prerequisites.sh: no PyPI inside the build).
# Cached: an image that exists is not rebuilt. The Debian mirror is the one apt already uses on this machine.
set -euo pipefail

JRE_IMAGE="${VANTAGE_JRE_IMAGE:-vantage/jre:17}"
TINY_IMAGE="${VANTAGE_TINY_IMAGE:-vantage/busybox:local}"
AGENT_BASE_IMAGE="${VANTAGE_AGENT_BASE_IMAGE:-vantage/jre:25-slim}"
PROMETHEUS_IMAGE=vantage/prometheus:local
MOTO_IMAGE=vantage/moto:local
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

mirror=$(grep -hoE '^(URIs:|deb) +[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
  | grep -v security | awk '{print $2}' | head -1 || true)
if ! docker image inspect "$JRE_IMAGE" >/dev/null 2>&1; then
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

# Prometheus for the compose demo: Debian's binary (Go, linked against glibc only) with glibc, on busybox; it runs as
# nobody, its data in /prometheus. The same entrypoint as prom/prometheus.
prometheus_image() {
  command -v prometheus >/dev/null 2>&1 || { echo "base images: $PROMETHEUS_IMAGE needs Debian's prometheus (scripts/install-prerequisites.sh)" >&2; return 1; }
  echo "base images: building $PROMETHEUS_IMAGE from $(command -v prometheus)"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/etc/prometheus" "$rootfs/prometheus" "$rootfs/tmp"
  chown 65534:65534 "$rootfs/prometheus" # its data, in the container (as in prom/prometheus)
  chmod 1777 "$rootfs/tmp"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  for tool in sh wget cat ls; do ln -s busybox "$rootfs/bin/$tool"; done
  cp "$(command -v prometheus)" "$rootfs/bin/prometheus"
  for lib in $(ldd "$(command -v prometheus)" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib" || return 1
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  version=$(prometheus --version 2>&1 | awk 'NR==1 {print $3}')
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/bin' -c 'USER 65534:65534' -c 'EXPOSE 9090' \
    -c "LABEL org.opencontainers.image.version=$version" -c 'ENTRYPOINT ["/bin/prometheus"]' \
    -c 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' - "$PROMETHEUS_IMAGE" >/dev/null || return 1
  rm -rf "$rootfs"
}

# moto_server for the compose demo: Debian bookworm's python3 (3.11) with moto[server] and everything it requires
# copied from this machine's python3 (pip's wheels for CPython 3.11, which is what Debian's is), run as moto's
# own image runs it (moto_server -H 0.0.0.0, port 5000).
moto_image() {
  python3 -c 'import moto' 2>/dev/null || { echo "base images: $MOTO_IMAGE needs moto[server] in python3 (scripts/install-prerequisites.sh)" >&2; return 1; }
  [[ $(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') == 3.11 ]] \
    || { echo "base images: $MOTO_IMAGE copies moto from python3, which must be 3.11 (Debian bookworm's) and is $(python3 --version)" >&2; return 1; }
  [[ -n "$mirror" ]] || { echo "base images: cannot find the Debian mirror apt uses" >&2; return 1; }
  rootfs=$(mktemp -d)
  echo "base images: debootstrap bookworm with python3 from $mirror, moto[server] from $(python3 -c 'import moto; print(moto.__file__)') (minutes)"
  debootstrap --variant=minbase --include=python3 bookworm "$rootfs" "$mirror" >/tmp/vantage-debootstrap-moto.log 2>&1 \
    || { echo "base images: debootstrap failed; see /tmp/vantage-debootstrap-moto.log" >&2; tail -5 /tmp/vantage-debootstrap-moto.log >&2; return 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  # Every distribution moto[server] requires, transitively (markers evaluated for this python and the extras asked for).
  python3 - "$rootfs/usr/local/lib/python3.11/dist-packages" <<'PY' || { echo "base images: copying moto[server] failed" >&2; return 1; }
import importlib.metadata as metadata, pathlib, shutil, sys
from packaging.requirements import Requirement
target = pathlib.Path(sys.argv[1])
pending, done = [Requirement("moto[server]")], {}
while pending:
    requirement = pending.pop()
    name = requirement.name.lower().replace("_", "-")
    extras = done.setdefault(name, set())
    if extras and requirement.extras <= extras:
        continue
    extras |= requirement.extras | {""}
    distribution = metadata.distribution(requirement.name)
    for text in distribution.requires or []:
        required = Requirement(text)
        if required.marker is None or any(required.marker.evaluate({"extra": extra}) for extra in extras):
            pending.append(required)
copied = 0
for name in done:
    distribution = metadata.distribution(name)
    for file in distribution.files or []:
        if str(file).startswith(".."):  # scripts in bin/: moto runs as python3 -m moto.server
            continue
        source = pathlib.Path(distribution.locate_file(file))
        if source.is_file() and "__pycache__" not in source.parts:
            (target / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / file)
            copied += 1
print("base images: moto[server] and %d distributions it requires, %d files" % (len(done) - 1, copied))
PY
  version=$(python3 -c 'import moto; print(moto.__version__)')
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c "LABEL org.opencontainers.image.version=$version" -c 'EXPOSE 5000' \
    -c 'ENTRYPOINT ["python3", "-m", "moto.server", "-H", "0.0.0.0"]' - "$MOTO_IMAGE" >/dev/null || return 1
  rm -rf "$rootfs"
}

# The compose demo's images are not needed by any other test: without them the rest still runs, and ComposeDemoIT
# fails saying which image is missing.
for image in PROMETHEUS MOTO; do
  name=${image}_IMAGE
  docker image inspect "${!name}" >/dev/null 2>&1 || "${image,,}_image" \
    || echo "base images: ${!name} not built; the compose demo (ComposeDemoIT) needs it" >&2
done
echo "base images: $JRE_IMAGE, $AGENT_BASE_IMAGE and $TINY_IMAGE present"
