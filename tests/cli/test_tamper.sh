#!/bin/bash
# A sealed document that was changed afterwards, or whose chain is not
# trusted, does not verify.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool pdfsig poppler-utils
need_tool jq jq
need_tool python3 python3
need_tool openssl openssl
make_pki
EDIT=$SOURCE_ROOT/tests/cli/pdfedit.py

key_args ec
sealed=$T/sealed.pdf
seal "$(sample classic)" "$sealed" "${KEYARGS[@]}"
pdfsig_check "$sealed" 1
verify_json "$sealed" --trust "$PKI/trust.pem"
expect_rc 0 "the untouched seal verifies"

# 1. one byte flipped inside the signed range: the page's text
say "a flipped byte inside the signed range"
off=$(grep -abo 'eseal sample: classic' "$sealed" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || fail "text of the page not found in $sealed"
python3 "$EDIT" flip "$sealed" "$T/flipped.pdf" "$((off + 3))"
cmp -s "$sealed" "$T/flipped.pdf" && fail "flip changed nothing"
verify_json "$T/flipped.pdf" --trust "$PKI/trust.pem"
expect_rc 1 "verify of a document with a flipped byte"
assert_json "$T/report.json" '.valid' false "flipped byte: document invalid"
assert_json "$T/report.json" '.signatures[0].integrity' false \
    "flipped byte: integrity false"
assert_json "$T/report.json" '.signatures[0].valid' false \
    "flipped byte: seal invalid"

# 1b. a flipped byte in the seal's own revision: a digit of the /M date
say "a flipped byte in the signature dictionary (/M)"
read -r a b c d <<<"$(byteranges "$sealed" | head -n 1)"
size0=$(stat -c %s "$(sample classic)")
off=$(tail -c +"$((size0 + 1))" "$sealed" | grep -aboE '/M *\(D:[0-9]{8}' |
    tail -n 1 | cut -d: -f1)
[ -n "$off" ] || fail "no /M (D:...) in the seal's revision of $sealed"
m=$(tail -c +"$((size0 + off + 1))" "$sealed" | grep -aoE '^/M *\(D:' |
    head -n 1)
python3 "$EDIT" flip "$sealed" "$T/flipped2.pdf" \
    "$((size0 + off + ${#m} + 3))"
cmp -s "$sealed" "$T/flipped2.pdf" && fail "flip changed nothing"
verify_json "$T/flipped2.pdf" --trust "$PKI/trust.pem"
expect_rc 1 "verify with a changed /M date"
assert_json "$T/report.json" '.valid' false "changed /M: document invalid"
assert_json "$T/report.json" '.signatures[0].integrity' false \
    "changed /M: integrity false"

# 1c. the signature value itself changed
say "a changed signature value"
extract_sig "$sealed" 1 "$T/s"
derlen=$(stat -c %s "$T/s.der")
# the last bytes of a B-B CMS are the signature value; hex digit in it
python3 "$EDIT" hexflip "$sealed" "$T/badsig.pdf" "$((b + 1 + 2 * derlen - 6))"
verify_json "$T/badsig.pdf" --trust "$PKI/trust.pem"
expect_rc 1 "verify with a changed signature value"
assert_json "$T/report.json" '.valid' false "changed signature: invalid"
assert_json "$T/report.json" '.signatures[0].valid' false \
    "changed signature: seal invalid"

# 2. an incremental update after the seal that changes the page
say "a page changed by an incremental update after the seal"
python3 "$EDIT" page-content "$sealed" "$T/edited.pdf" 10 \
    "changed after sealing" || fail "pdfedit.py page-content"
is_prefix "$sealed" "$T/edited.pdf" || fail "edit is not incremental"
run pdfsig -nocert "$T/edited.pdf"
grep -q 'Not total document signed' "$T/.stdout" ||
    fail "fixture: pdfsig does not see the edit after the seal: $(out)"
ok "fixture: pdfsig sees a revision after the seal"
verify_json "$T/edited.pdf" --trust "$PKI/trust.pem"
expect_rc 1 "verify of a document changed after sealing"
assert_json "$T/report.json" '.valid' false "edited: document invalid"
assert_json "$T/report.json" '.signatures[0].modifications_after' \
    forbidden "edited: modifications_after forbidden"
assert_json "$T/report.json" '.signatures[0].integrity' true \
    "edited: the sealed revision itself is intact"
assert_json "$T/report.json" '.signatures[0].covers_whole_document' false \
    "edited: the seal no longer covers the document"

# 3. bytes cut off the end of the sealed file
say "a truncated sealed file"
head -c "$(($(stat -c %s "$sealed") - 40))" "$sealed" >"$T/cut.pdf"
run "$ESEAL" verify --trust "$PKI/trust.pem" "$T/cut.pdf"
expect_rc 1 "verify of a truncated sealed file"

# 4. trust
say "verify without --trust"
verify_json "$sealed"
expect_rc 1 "verify without trust anchors"
assert_json "$T/report.json" '.valid' false "no trust: document invalid"
assert_json "$T/report.json" '.signatures[0].chain_trusted' false \
    "no trust: chain not trusted"
assert_json "$T/report.json" '.signatures[0].integrity' true \
    "no trust: integrity still true"

say "verify against another root"
run "$ESEAL" demo-pki "$T/other"
[ "$RC" -eq 0 ] || fail "second demo-pki"
verify_json "$sealed" --trust "$T/other/trust.pem"
expect_rc 1 "verify against a foreign root"
assert_json "$T/report.json" '.signatures[0].chain_trusted' false \
    "foreign root: chain not trusted"

done_ok
