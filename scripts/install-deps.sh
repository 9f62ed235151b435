#!/bin/sh
# Installs the Debian 12 packages eseal needs to build and to run its tests:
# every list in scripts/deps/*.txt (one per part of the project; '#' starts
# a comment).  Idempotent: does nothing when everything is there.  As root.
set -eu
cd "$(dirname "$0")/deps"

wanted=$(sed 's/#.*//' ./*.txt | tr -s ' \t\n' '\n' | sort -u)
missing=""
for p in $wanted; do
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
