#!/bin/sh
# Installs the Debian 12 packages eseal needs to build and to run its tests.
# Idempotent: does nothing when everything is already there.  Run as root.
set -eu

BUILD="meson ninja-build pkg-config gcc libc6-dev libssl-dev zlib1g-dev
libglib2.0-dev libpoppler-glib-dev libcunit1-dev libxml2-dev libxmlsec1-dev"
TESTS="openssl poppler-utils qpdf libpodofo-utils libnss3-tools jq python3
ghostscript valgrind clang libclang-rt-14-dev bc xmlsec1 libxml2-utils"

missing=""
for p in $BUILD $TESTS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing (run as root)" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
