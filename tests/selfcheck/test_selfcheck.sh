#!/bin/bash
# --self-check runs Poppler in the helper eseal-selfcheck: the known
# Poppler/NSS use-after-free input never kills the command; a missing
# helper, a helper killed by a signal and a helper that fails are clear
# errors (stand-in helpers next to a copy of the command and libeseal.so,
# where the library looks first; LD_LIBRARY_PATH, which meson sets, is
# dropped so that the copy loads the library beside it); a batch works.
# Environment (meson sets it): ESEAL, ESEAL_LIB (libeseal.so), ESEAL_HELPER,
# LIBEXECDIR (where the helper is installed), SOURCE_ROOT, TEST_TMPDIR.
. "$SOURCE_ROOT/tests/cli/lib.sh" || exit 1
: "${ESEAL_LIB:?}" "${ESEAL_HELPER:?}" "${LIBEXECDIR:?}"
need_tool jq jq
make_pki
key_args rsa
KNOWN=$SOURCE_ROOT/tests/fuzz/known/poppler-nss-use-after-free.pdf
IN=$T/classic.pdf
cp "$(sample classic)" "$IN"

# refused: exit 1, one error line of eseal naming the self-check, no output
expect_refused() {
    local out=$1 what=$2 pattern=$3
    expect_rc 1 "$what: refused"
    [ "$(grep -c '^eseal: ' "$T/.stderr")" -eq 1 ] ||
        fail "$what: one error line expected"
    assert_grep "^eseal: .*$pattern" "$T/.stderr" "$what: the error line"
    assert_no_file "$out" "$what: no output"
}

# --- the known Poppler/NSS crash input ------------------------------------
for visible in "" --visible; do
    what="known Poppler crash input ${visible:-invisible}"
    say "$what"
    rm -f "$T/known.pdf"
    run "$ESEAL" seal "${KEYARGS[@]}" $visible --self-check \
        -o "$T/known.pdf" "$KNOWN"
    case $RC in
    0)
        ok "$what: sealed"
        verify_json "$T/known.pdf" --trust "$PKI/trust.pem"
        expect_rc 0 "$what: the sealed output verifies"
        ;;
    1) expect_refused "$T/known.pdf" "$what" "self-check: " ;;
    *) fail "$what: exit status $RC (the command must not die)" ;;
    esac
done

# Sealed again in the same process, that input made Poppler/NSS use freed
# memory when the self-check ran in the caller (the command built with ASan
# aborted, exit 134): three copies in one batch.
mkdir -p "$T/known3"
for f in a b c; do cp "$KNOWN" "$T/known3/$f.pdf"; done
for opts in "--jobs 1" "--visible --jobs 2"; do
    what="known input three times in one process ($opts)"
    say "$what"
    rm -rf "$T/known3-out"
    mkdir -p "$T/known3-out"
    run "$ESEAL" seal "${KEYARGS[@]}" $opts --self-check \
        --out-dir "$T/known3-out" "$T/known3"
    case $RC in
    0|1) ok "$what: the command ended normally (exit $RC)" ;;
    *) fail "$what: exit status $RC (the command must not die)" ;;
    esac
    for f in a b c; do
        if [ -f "$T/known3-out/$f.pdf" ]; then
            verify_json "$T/known3-out/$f.pdf" --trust "$PKI/trust.pem"
            expect_rc 0 "$what: $f.pdf sealed and verifies"
        else
            assert_grep "^eseal: .*/$f\.pdf: self-check: " "$T/.stderr" \
                "$what: $f.pdf refused by the self-check"
        fi
    done
done

# --- a batch ---------------------------------------------------------------
say "a batch of 20 with --self-check --jobs 2"
mkdir -p "$T/batch" "$T/batch-out"
for i in $(seq 1 20); do cp "$IN" "$T/batch/doc$i.pdf"; done
run "$ESEAL" seal "${KEYARGS[@]}" --self-check --jobs 2 \
    --out-dir "$T/batch-out" "$T/batch"
expect_rc 0 "batch sealed"
[ "$(find "$T/batch-out" -name '*.pdf' | wc -l)" -eq 20 ] ||
    fail "batch: 20 outputs expected"
ok "batch: 20 outputs"

# --- the helper, next to a copy of the library ------------------------------
A=$T/alone
mkdir -p "$A"
cp "$ESEAL" "$A/eseal"
cp -L "$ESEAL_LIB" "$A/libeseal.so.0"
# alone_seal OUT: the copy of the command seals $IN with --self-check into OUT
alone_seal() {
    run env -u LD_LIBRARY_PATH "$A/eseal" seal "${KEYARGS[@]}" --self-check \
        -o "$1" "$IN"
}
helper() {     # helper SCRIPT: a stand-in helper
    rm -f "$A/eseal-selfcheck"
    printf '#!/bin/sh\n%s\n' "$1" >"$A/eseal-selfcheck"
    chmod 755 "$A/eseal-selfcheck"
}

say "no helper"
if [ -e "$LIBEXECDIR/eseal-selfcheck" ]; then
    echo "   note: $LIBEXECDIR/eseal-selfcheck is installed; the case of" \
        "a missing helper is not checked"
else
    alone_seal "$T/nohelper.pdf"
    expect_rc 2 "no helper: a configuration error"
    missing="the helper eseal-selfcheck is not installed"
    places="\(looked in $A and $LIBEXECDIR\)"
    assert_grep "^eseal: .*self-check: $missing $places" \
        "$T/.stderr" "no helper: the places looked in"
    assert_no_file "$T/nohelper.pdf" "no helper: no output"
fi

say "the real helper next to the library"
cp "$ESEAL_HELPER" "$A/eseal-selfcheck"
alone_seal "$T/alone.pdf"
expect_rc 0 "sealed with the helper next to the library"
verify_json "$T/alone.pdf" --trust "$PKI/trust.pem"
expect_rc 0 "the output verifies"

say "a helper killed by a signal"
helper 'cat >/dev/null; kill -SEGV $$'
alone_seal "$T/segv.pdf"
expect_refused "$T/segv.pdf" "signal 11" \
    "self-check: Poppler crashed while reading the sealed PDF \(signal 11"

say "a helper that aborts (as AddressSanitizer does with abort_on_error)"
helper 'echo "==1==ERROR: AddressSanitizer: heap-use-after-free" >&2
kill -ABRT $$'
alone_seal "$T/abrt.pdf"
expect_refused "$T/abrt.pdf" "signal 6" \
    "self-check: Poppler crashed while reading the sealed PDF \(signal 6"

say "a helper that fails without an answer"
helper 'exit 7'
alone_seal "$T/exit7.pdf"
expect_refused "$T/exit7.pdf" "exit 7" \
    "self-check: the Poppler helper .*eseal-selfcheck failed \(exit status 7\)"

say "a helper's finding"
helper 'echo "EVERIFY self-check: Poppler sees 2 signature fields"; exit 1'
alone_seal "$T/finding.pdf"
expect_refused "$T/finding.pdf" "finding" \
    "self-check: Poppler sees 2 signature fields$"

say "a helper with two lines"
helper 'echo ok; echo ok'
alone_seal "$T/two.pdf"
expect_refused "$T/two.pdf" "two lines" "failed \(exit status 0\)"

# --- the helper run by hand ---------------------------------------------
say "the helper refuses to run without eseal's arguments"
run "$ESEAL_HELPER" --eseal-version=0 1 x
expect_rc 2 "wrong version"
assert_grep "^ECONFIG self-check: .* is the helper of eseal" "$T/.stdout" \
    "wrong version: the answer"

done_ok
