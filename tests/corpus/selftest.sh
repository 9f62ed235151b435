#!/bin/bash
# Checks run-corpus itself: an eseal that misbehaves in each way the runner
# must catch (sanitizer report, signal, timeout, a file left behind, an
# unclear refusal, a "sealed" file that is not, a clean PDF refused) makes
# it count the right class and exit non-zero; the real eseal passes.
# Environment: ESEAL, SOURCE_ROOT, TEST_TMPDIR (as for run-corpus).
set -u -o pipefail
: "${ESEAL:?set ESEAL to the eseal executable}"
: "${SOURCE_ROOT:?set SOURCE_ROOT to the source tree}"
case $ESEAL in /*) ;; *) ESEAL=$PWD/$ESEAL ;; esac
REAL=$ESEAL
here=$(cd "$(dirname "$0")" && pwd)
T=${TEST_TMPDIR:-$(mktemp -d "${TMPDIR:-/tmp}/eseal-corpus-self.XXXXXX")}
rm -rf "$T"
mkdir -p "$T"
PDF=$SOURCE_ROOT/samples/corpus/pdf/mutool-create.pdf
XML=$SOURCE_ROOT/samples/corpus/xml/ubl-invoice.xml
fails=0

# a fake eseal: "seal" misbehaves as FAKE_MODE says, the rest is real
cat >"$T/fake-eseal" <<'SH'
#!/bin/bash
[ "$1" = seal ] || exec "$REAL_ESEAL" "$@"
out= in=
while [ $# -gt 0 ]; do
    case $1 in -o) out=$2; shift ;; --key|--cert|--chain) shift ;;
    seal) ;; *) in=$1 ;; esac
    shift
done
case $FAKE_MODE in
asan) echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow" >&2
    exit 1 ;;
segv) kill -SEGV $$ ;;
hang) exec sleep 60 ;;
leftover) echo x >"$out.tmp"; echo "eseal: $in: refused" >&2; exit 1 ;;
unclear) echo "something went wrong" >&2; echo "second line" >&2; exit 1 ;;
fake) cp "$in" "$out"; exit 0 ;;
refuse) echo "eseal: $in: refused for no reason" >&2; exit 1 ;;
esac
SH
chmod +x "$T/fake-eseal"

# expect MODE FILE CLASS-IN-SUMMARY
expect() {
    local mode=$1 file=$2 want=$3 line
    line=$(REAL_ESEAL=$REAL FAKE_MODE=$mode ESEAL=$T/fake-eseal \
        SEAL_TIMEOUT=3 TEST_TMPDIR=$T/run-$mode \
        bash "$here/run-corpus" -j 1 "$file" 2>&1 | tail -n 1)
    case $line in
    *", $want"*) echo "   ok: $mode -> $line" ;;
    *) echo "FAIL: $mode: expected '$want' in '$line'"; fails=$((fails + 1)) ;;
    esac
}
expect asan "$PDF" "1 crashes"
expect segv "$PDF" "1 crashes"
expect hang "$PDF" "1 hangs"
expect leftover "$PDF" "1 invalid"
expect unclear "$PDF" "1 invalid"
expect fake "$PDF" "1 invalid"
expect fake "$XML" "1 invalid"
expect refuse "$PDF" "1 invalid"
expect refuse "$XML" "1 invalid"
# the real eseal: both files seal, exit 0
if line=$(ESEAL=$ESEAL TEST_TMPDIR=$T/run-real \
    bash "$here/run-corpus" -j 1 "$PDF" "$XML" 2>&1); then
    echo "   ok: real eseal -> $line"
else
    echo "FAIL: real eseal: $line"
    fails=$((fails + 1))
fi
# a failing run exits non-zero
if REAL_ESEAL=$REAL FAKE_MODE=segv ESEAL=$T/fake-eseal \
    TEST_TMPDIR=$T/run-exit bash "$here/run-corpus" "$PDF" >/dev/null 2>&1
then
    echo "FAIL: run-corpus exits 0 after a crash"
    fails=$((fails + 1))
fi
[ $fails -eq 0 ] || exit 1
rm -rf "$T"
echo "PASS [corpus/selftest]"
