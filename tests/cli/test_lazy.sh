#!/bin/bash
# Sealing reads only what it must: a document with garbage objects that
# the seal never touches seals and verifies, and a 1000-page document
# seals quickly.
. "$(dirname "$0")/lib.sh" || exit 1
. "$TESTS_DIR/checks.sh" || exit 1
need_tool pdfsig poppler-utils
need_tool qpdf qpdf
need_tool openssl openssl
need_tool jq jq
need_tool python3 python3
make_pki

say "garbage objects the seal never touches"
f=$(sample lazy-garbage)
assert_fixture lazy-garbage "$f"
if qpdf --check "$f" >/dev/null 2>&1; then
    fail "fixture lazy-garbage: qpdf finds no damage"
fi
ok "fixture: qpdf sees the damage"
for kind in ec rsa; do
    key_args "$kind"
    seal "$f" "$T/lazy-$kind.pdf" "${KEYARGS[@]}"
    check_sealed "$f" "$T/lazy-$kind.pdf" "$kind" sha256 0
done

say "a 1000-page document"
python3 "$MKPDF" pages 1000 "$T/pages-1000.pdf" || fail "mkpdf.py pages"
[ "$(qpdf --show-npages "$T/pages-1000.pdf")" -eq 1000 ] ||
    fail "fixture: not 1000 pages"
ok "fixture: 1000 pages, $(stat -c %s "$T/pages-1000.pdf") bytes"
key_args ec
# (no timing assertion: machines are shared and noisy; tests/bench/run
# measures speed beside openssl on the same files)
seal "$T/pages-1000.pdf" "$T/pages-1000.sealed.pdf" "${KEYARGS[@]}"
check_sealed "$T/pages-1000.pdf" "$T/pages-1000.sealed.pdf" ec sha256 0
added=$(($(stat -c %s "$T/pages-1000.sealed.pdf") -
    $(stat -c %s "$T/pages-1000.pdf")))
say "the seal added $added bytes"
[ "$added" -lt 65536 ] || fail "the update is $added bytes: it should not" \
    "grow with the page count"
ok "the update does not grow with the page count"

done_ok
