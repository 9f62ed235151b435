#!/bin/bash
# Several seals: a seal that would break an earlier one is refused unless
# --force; --co-seal seals coexist; UBL seals share sig:UBLDocumentSignatures.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool perl perl
make_pki
key_args rsa
R=("${KEYARGS[@]}")
key_args ec
E=("${KEYARGS[@]}")

say "a plain enveloped seal is not sealed over"
xseal "$XSAMPLES/generic.xml" "$T/one.xml" "${R[@]}"
run "$ESEAL" seal "${E[@]}" -o "$T/two.xml" "$T/one.xml"
expect_rc 1 "sealing over a plain enveloped seal"
assert_no_file "$T/two.xml" "no output when refused"
err | contains 'would break the existing signature' ||
    fail "the refusal does not say why: $(err)"
ok "the refusal says it would break the existing signature"
run "$ESEAL" seal "${E[@]}" --co-seal -o "$T/two.xml" "$T/one.xml"
expect_rc 1 "a co-seal over a plain seal is refused too"
xseal "$T/one.xml" "$T/forced.xml" "${E[@]}" --force
xverify "$T/forced.xml" --trust "$PKI/trust.pem"
expect_rc 1 "--force: the document no longer verifies"
assert_json "$T/report.json" '.signatures[0].integrity' false \
    "--force: the first seal is broken"
assert_json "$T/report.json" '.signatures[1].valid' true \
    "--force: the second seal is valid"

say "two co-seals"
xseal "$XSAMPLES/generic.xml" "$T/co1.xml" "${R[@]}" --co-seal
assert_grep 'Filter="subtract">//ds:Signature<' "$T/co1.xml" \
    "XPath Filter 2.0 subtracts every signature"
xseal "$T/co1.xml" "$T/co2.xml" "${E[@]}" --co-seal
expect_valid "$T/co2.xml" 2 "two co-seals"
assert_json "$T/report.json" '[.signatures[].modifications_after] | unique | join(",")' \
    permitted "each co-seal: only other seals were added"
id1=$(xpath "$T/co2.xml" 'string((//*[local-name()="Signature"])[1]/@Id)')
id2=$(xpath "$T/co2.xml" 'string((//*[local-name()="Signature"])[2]/@Id)')
xmlsec_ok "$T/co2.xml" "first co-seal" "$id1"
xmlsec_ok "$T/co2.xml" "second co-seal" "$id2"
spliced "$T/co1.xml" "$T/co2.xml" "the second co-seal"
strip() { perl -0777 -pe 's|<ds:Signature .*?</ds:Signature>||gs' "$1"; }
cmp -s <(strip "$T/co1.xml") <(strip "$T/co2.xml") ||
    fail "a co-seal inserted bytes outside its ds:Signature"
ok "a co-seal inserts nothing outside its ds:Signature"

say "two co-seals on a UBL invoice"
xseal "$XSAMPLES/invoice-ubl.xml" "$T/u0.xml" "${R[@]}"
run "$ESEAL" seal "${E[@]}" -o "$T/u0b.xml" "$T/u0.xml"
expect_rc 1 "a plain UBL seal is not sealed over"
xseal "$XSAMPLES/invoice-ubl.xml" "$T/u1.xml" "${R[@]}" --co-seal
assert_grep 'Filter="subtract">//sig:UBLDocumentSignatures \| //ds:Signature<' \
    "$T/u1.xml" "UBL co-seal: XPath Filter 2.0 subtracts the signature container"
xseal "$T/u1.xml" "$T/u2.xml" "${E[@]}" --co-seal
expect_valid "$T/u2.xml" 2 "two UBL co-seals"
assert_eq "$(xpath "$T/u2.xml" 'count(//*[local-name()="UBLDocumentSignatures"])')" \
    1 "one sig:UBLDocumentSignatures"
assert_eq "$(xpath "$T/u2.xml" 'count(//*[local-name()="UBLDocumentSignatures"]/*[local-name()="SignatureInformation"])')" \
    2 "two sac:SignatureInformation"
id1=$(xpath "$T/u2.xml" 'string((//*[local-name()="Signature"])[1]/@Id)')
id2=$(xpath "$T/u2.xml" 'string((//*[local-name()="Signature"])[2]/@Id)')
xmlsec_ok "$T/u2.xml" "first UBL seal" "$id1"
xmlsec_ok "$T/u2.xml" "second UBL seal" "$id2"

say "a UBL seal after an enveloped one breaks it: refused"
xseal "$XSAMPLES/invoice-ubl.xml" "$T/e1.xml" "${R[@]}" --placement enveloped
run "$ESEAL" seal "${E[@]}" -o "$T/e2.xml" "$T/e1.xml"
expect_rc 1 "UBL seal over an enveloped seal"
done_ok
