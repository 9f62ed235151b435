#!/bin/bash
# Signatures made by other tools (Poppler's pdfsig with an NSS database,
# PoDoFo's podofosign) are found and checked by eseal verify, alone, two in
# one file, and with an eseal seal on top.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool pdfsig poppler-utils
need_tool podofosign libpodofo-utils
need_tool certutil libnss3-tools
need_tool pk12util libnss3-tools
need_tool jq jq
need_tool openssl openssl
need_tool python3 python3
make_pki
ORG=$(subject_field "$PKI/eseal-rsa.pem" O)
[ -n "$ORG" ] || fail "no O in the demo certificate"

# --- an NSS database holding the demo e-Seal key, for pdfsig ---------------
say "NSS database with the demo .p12"
NSS=$T/nss
mkdir -p "$NSS"
must certutil -N -d "sql:$NSS" --empty-password
head -n 1 "$PKI/eseal-rsa.p12.pass" | tr -d '\r\n' >"$T/p12pw"
must pk12util -i "$PKI/eseal-rsa.p12" -d "sql:$NSS" -w "$T/p12pw"
must certutil -L -d "sql:$NSS"
NICK=$(awk '/u,u,u *$/ { sub(/ +u,u,u *$/, ""); print; exit }' \
    "$T/.stdout")
[ -n "$NICK" ] || fail "no key in the NSS database: $(out)"
ok "NSS nickname '$NICK'"

# check_foreign FILE INDEX SUBFILTER LAST: signature INDEX (0-based) of the
# eseal report in $T/report.json is of that kind and intact.
check_foreign() {
    local r=$T/report.json i=$2 kind=$3 last=$4
    assert_json "$r" ".signatures[$i].kind" "$kind" \
        "$(basename "$1") #$((i + 1)): kind $kind"
    assert_json "$r" ".signatures[$i].integrity" true \
        "$(basename "$1") #$((i + 1)): integrity"
    assert_json "$r" ".signatures[$i].signer.organization" "$ORG" \
        "$(basename "$1") #$((i + 1)): signer organization"
    if [ "$last" = yes ]; then
        assert_json "$r" ".signatures[$i].covers_whole_document" true \
            "$(basename "$1") #$((i + 1)): covers the document"
        assert_json "$r" ".signatures[$i].modifications_after" none \
            "$(basename "$1") #$((i + 1)): nothing after"
    else
        assert_json "$r" ".signatures[$i].modifications_after" permitted \
            "$(basename "$1") #$((i + 1)): only a further signature after"
    fi
}

# --- podofosign -------------------------------------------------------------
say "podofosign"
run podofosign -in "$(sample classic)" -out "$T/podofo.pdf" \
    -cert "$PKI/eseal-rsa.pem" -pkey "$PKI/eseal-rsa.key" -digest SHA256
[ "$RC" -eq 0 ] || fail "podofosign"
grep -aq '/SubFilter */adbe.pkcs7.detached' "$T/podofo.pdf" ||
    fail "fixture: podofosign made no adbe.pkcs7.detached signature"
pdfsig_check "$T/podofo.pdf" 1
verify_json "$T/podofo.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures | length' 1 "one signature"
check_foreign "$T/podofo.pdf" 0 adbe yes

# --- pdfsig -add-signature --------------------------------------------------
say "pdfsig -add-signature"
run pdfsig -nssdir "sql:$NSS" -add-signature -nick "$NICK" -digest SHA256 \
    "$(sample xrefstream)" "$T/poppler.pdf"
[ "$RC" -eq 0 ] && [ -f "$T/poppler.pdf" ] || fail "pdfsig -add-signature"
pdfsig_check "$T/poppler.pdf" 1
verify_json "$T/poppler.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures | length' 1 "one signature"
check_foreign "$T/poppler.pdf" 0 adbe yes
assert_json "$T/report.json" '.signatures[0].chain_trusted' true \
    "pdfsig signature (chain from NSS): chain trusted"

# --- two foreign signatures in one file -----------------------------------
say "podofosign, then pdfsig on top"
run pdfsig -nssdir "sql:$NSS" -add-signature -nick "$NICK" -digest SHA256 \
    "$T/podofo.pdf" "$T/two.pdf"
[ "$RC" -eq 0 ] && [ -f "$T/two.pdf" ] || fail "pdfsig -add-signature (2)"
is_prefix "$T/podofo.pdf" "$T/two.pdf" || fail "pdfsig did not append"
pdfsig_check "$T/two.pdf" 2
verify_json "$T/two.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures | length' 2 "two signatures"
check_foreign "$T/two.pdf" 0 adbe no
check_foreign "$T/two.pdf" 1 adbe yes

# --- an eseal seal on top of both ------------------------------------------
say "eseal seal on top of two foreign signatures"
key_args ec
seal "$T/two.pdf" "$T/three.pdf" "${KEYARGS[@]}"
is_prefix "$T/two.pdf" "$T/three.pdf" || fail "the seal did not append"
pdfsig_check "$T/three.pdf" 3
verify_json "$T/three.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures | length' 3 "three signatures"
check_foreign "$T/three.pdf" 0 adbe no
check_foreign "$T/three.pdf" 1 adbe no
assert_json "$T/report.json" '.signatures[2].kind' pades "seal: kind pades"
assert_json "$T/report.json" '.signatures[2].valid' true "seal: valid"
assert_json "$T/report.json" '.signatures[2].covers_whole_document' true \
    "seal: covers the document"

# --- a foreign signature on top of an eseal seal ----------------------------
say "eseal seal, then pdfsig -add-signature on top"
seal "$(sample classic)" "$T/sealed.pdf" "${KEYARGS[@]}"
run pdfsig -nssdir "sql:$NSS" -add-signature -nick "$NICK" -digest SHA256 \
    "$T/sealed.pdf" "$T/sealed-signed.pdf"
[ "$RC" -eq 0 ] && [ -f "$T/sealed-signed.pdf" ] ||
    fail "pdfsig -add-signature on the sealed file"
is_prefix "$T/sealed.pdf" "$T/sealed-signed.pdf" || fail "pdfsig did not append"
pdfsig_check "$T/sealed-signed.pdf" 2
verify_json "$T/sealed-signed.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures[0].kind' pades "seal: kind pades"
assert_json "$T/report.json" '.signatures[0].integrity' true "seal: integrity"
assert_json "$T/report.json" '.signatures[0].modifications_after' \
    permitted "seal: a later signature is a permitted change"
assert_json "$T/report.json" '.signatures[0].valid' true "seal: still valid"
check_foreign "$T/sealed-signed.pdf" 1 adbe yes

done_ok
