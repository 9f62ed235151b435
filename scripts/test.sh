#!/bin/bash
# The whole test suite (the README's test command, also run by CI):
#  1. build and run every test (unit tests, then integration tests with real
#     tools: pdfsig, qpdf, openssl, podofosign...);
#  2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#     (every suite: the library, the command, the CUPS filter run directly,
#     and the nginx module with the runtimes preloaded into nginx);
#  3. the unit tests, and the CLI tests of errors, tampering and options,
#     under valgrind (memcheck);
#  4. each libFuzzer target for a short while on its seed corpus.
# Extra arguments go to the first `meson test`.  FUZZ_SECONDS sets step 4's
# time per target (default 20; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
summary=()
step() {
    local name=$1; shift
    echo "==> $name"
    if "$@"; then summary+=("ok    $name"); else summary+=("FAIL  $name"); fi
}

[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null
step "tests" meson test -C build --print-errorlogs --num-processes 2 "$@"

[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined \
    -Db_lundef=false >/dev/null
meson compile -C build-asan >/dev/null
step "tests under ASan+UBSan" env \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
    meson test -C build-asan --print-errorlogs --num-processes 2 \
    --timeout-multiplier 3

step "unit tests under valgrind" meson test -C build --suite unit \
    --print-errorlogs --num-processes 2 --timeout-multiplier 20 \
    --wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --suppressions=$PWD/tests/valgrind.supp"

# CLI tests with the command itself under valgrind
cli_valgrind() {
    local t rc=0
    for t in tests/cli/test_errors.sh tests/cli/test_tamper.sh \
        tests/cli/test_options.sh tests/xml/test_bad_input.sh; do
        echo "--- $t"
        rm -rf "build/valgrind-cli"
        ESEAL_REAL=$PWD/build/eseal ESEAL=$PWD/tests/valgrind-eseal \
        SOURCE_ROOT=$PWD TEST_TMPDIR=$PWD/build/valgrind-cli \
            bash "$t" >"build/valgrind-cli.log" 2>&1 ||
            { rc=1; tail -20 build/valgrind-cli.log; }
    done
    return $rc
}
step "CLI tests under valgrind" cli_valgrind

if [ "${FUZZ_SECONDS:-20}" != 0 ]; then
    step "fuzzing ${FUZZ_SECONDS:-20}s per target" tests/fuzz/run \
        "${FUZZ_SECONDS:-20}"
fi

echo
echo "==> summary"
printf '%s\n' "${summary[@]}"
for line in "${summary[@]}"; do
    case $line in FAIL*) exit 1 ;; esac
done
