#!/bin/sh
# Builds eseal and runs the whole test suite (the README's test command).
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
[ -d build ] || meson setup build
meson compile -C build
meson test -C build --print-errorlogs --num-processes 2 "$@"
