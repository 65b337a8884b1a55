#!/usr/bin/env bash
# Builds the image edgechat deploys, as a folder, without Docker. The Dockerfile's build stage runs exactly
# this script and its final stage copies the folder onto debian:bookworm-slim; SlimImageIT runs it in
# `mvn verify` and starts every role from the result. Steps:
#   1. the slim jar, target/edgechat-slim.jar (Linux x86-64 natives, no embedded databases, no bench):
#      `mvn package`, or with --prebuilt the one already in target/
#   2. a Java runtime of only the modules the jar needs: jdeps lists them, jlink builds it
#   3. target/image/: runtime/, lib/edgechat.jar, edge-config/, bin/edgechat (the entrypoint)
#   4. sizes: the jar, the runtime, the folder as an uncompressed tar and gzipped (target/image-sizes.properties)
# Then `target/image/bin/edgechat edge` (or origin, worker, sim) starts a role from it, as the image does.
# Needs a JDK 17 with jmods (jdeps, jlink), tar and gzip. How and why: docs/deploy-artifact.md.
set -euo pipefail

usage() {
  echo "usage: scripts/build-image.sh [--prebuilt]"
  echo "  --prebuilt  take target/edgechat-slim.jar as it is instead of running mvn package"
}

prebuilt=false
while [ $# -gt 0 ]; do
  case "$1" in
    --prebuilt) prebuilt=true ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-image: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "$0")/.."
JAR=target/edgechat-slim.jar
IMAGE=target/image
# Modules no class names but the running code needs: the elliptic curves of TLS (Postgres and Redis over TLS,
# HTTPS to the LLM; jdeps cannot see a security provider) and sun.misc.Unsafe for Netty (jdeps finds it too;
# listed so that a change in the libraries cannot drop it).
EXTRA_MODULES=jdk.crypto.ec,jdk.unsupported

# 1. the slim jar
if [ "$prebuilt" = false ]; then
  mvn -B -q package -DskipTests
fi
if [ ! -f "$JAR" ]; then
  echo "build-image: $JAR is missing: run mvn package first, or leave out --prebuilt" >&2
  exit 1
fi

# 2. the runtime
modules=$( (jdeps --multi-release 17 --ignore-missing-deps --print-module-deps "$JAR"; echo "$EXTRA_MODULES") \
  | tr ',' '\n' | sort -u | paste -sd, -)
rm -rf "$IMAGE"
mkdir -p "$IMAGE/bin" "$IMAGE/lib"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$IMAGE/runtime"

# 3. the image folder
cp "$JAR" "$IMAGE/lib/edgechat.jar"
cp -R edge-config "$IMAGE/edge-config"
cat > "$IMAGE/bin/edgechat" <<'EOF'
#!/bin/sh
# edgechat's entrypoint: the image's own Java runtime and jar, settings from edge-config/ beside them unless
# EDGECHAT_CONFIG_DIR names another folder. bin/edgechat [edge|origin|worker|sim|all] [options]; --help lists them.
set -e
home=$(cd "$(dirname "$0")/.." && pwd -P)
export EDGECHAT_CONFIG_DIR="${EDGECHAT_CONFIG_DIR:-$home/edge-config}"
# The JVM settings an edge ships with, chosen by measurement (docs/deploy-artifact.md, "JVM settings"): the
# Serial collector and a heap of 32 MB growing to at most 512 MB (10,000 open answers live in ~190 MB of it),
# its young generation fixed at 16 MB (80 MB less RSS with 10,000 open, 28 MB under a hit flood), direct
# buffers capped. EDGECHAT_JAVA_OPTS replaces them (set it empty for the JVM's own). The JVM reads
# JAVA_TOOL_OPTIONS (the Dockerfile's) first and these after, so -Xmx here wins over -XX:MaxRAMPercentage there.
if [ -z "${EDGECHAT_JAVA_OPTS+set}" ]; then
  case "${1:-}" in
    edge) EDGECHAT_JAVA_OPTS="-XX:+UseSerialGC -Xms32m -Xmx512m -Xmn16m -XX:MaxDirectMemorySize=128m" ;;
    *) EDGECHAT_JAVA_OPTS="" ;;
  esac
fi
# exec: the JVM gets the orchestrator's SIGTERM itself and drains
# shellcheck disable=SC2086
exec "$home/runtime/bin/java" $EDGECHAT_JAVA_OPTS -jar "$home/lib/edgechat.jar" "$@"
EOF
chmod 755 "$IMAGE/bin/edgechat"

# 4. sizes: a layer is a tar of the folder; registries store it gzipped
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$IMAGE" -cf target/image.tar .
gzip -n -c target/image.tar > target/image.tar.gz
jar_bytes=$(stat -c %s "$JAR")
runtime_bytes=$(du -sb "$IMAGE/runtime" | cut -f1)
image_bytes=$(du -sb "$IMAGE" | cut -f1)
tar_bytes=$(stat -c %s target/image.tar)
targz_bytes=$(stat -c %s target/image.tar.gz)
rm -f target/image.tar target/image.tar.gz
cat > target/image-sizes.properties <<EOF
modules=$modules
jar.bytes=$jar_bytes
runtime.bytes=$runtime_bytes
image.bytes=$image_bytes
tar.bytes=$tar_bytes
tar.gz.bytes=$targz_bytes
EOF
mb() { awk -v b="$1" 'BEGIN { printf "%7.1f MB", b / 1000000 }'; }
echo "build-image: $IMAGE (modules: $modules)"
echo "  slim jar          $(mb "$jar_bytes")"
echo "  jlink runtime     $(mb "$runtime_bytes")"
echo "  image folder      $(mb "$image_bytes")"
echo "  as a tar          $(mb "$tar_bytes")"
echo "  as a tar, gzipped $(mb "$targz_bytes")"
echo "  start a role:     $IMAGE/bin/edgechat edge"
