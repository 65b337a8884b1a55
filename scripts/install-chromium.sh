#!/usr/bin/env bash
# Installs Debian's Chromium (and its driver) for the widget's browser test, unless it is there already.
# Run by `mvn verify` before the tests (pom.xml, exec-maven-plugin) and by .ci/run; needs root or sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: /usr/bin/chromium is missing and this is not a Debian-like system (no apt-get);" \
       "install Chromium so that /usr/bin/chromium exists, then run the tests again" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-chromium: installing Debian's chromium and chromium-driver for the widget's browser test"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
