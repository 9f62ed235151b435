#!/bin/bash
# Interop over the public samples in ../shared/samples/xml (not part of a
# clone: skipped when absent).  The signed DSS sample verifies (integrity
# true, chain not trusted here), the altered one does not; the unsigned
# invoices seal and verify with eseal and xmlsec1.
. "$(dirname "$0")/lib.sh" || exit 1
S=$SOURCE_ROOT/../shared/samples/xml
if [ ! -d "$S" ]; then
    echo "SKIP: $S is absent (the public sample folder is not in a clone)"
    exit 77
fi
make_pki
key_args rsa

say "signatures made by other tools"
xverify "$S/xades-generic-dss/dss-signed.xml" --trust "$PKI/trust.pem"
expect_rc 1 "DSS sample: not valid here (its chain is not trusted)"
assert_json "$T/report.json" '.signatures[0].integrity' true \
    "DSS sample: integrity true"
assert_json "$T/report.json" '.signatures[0].chain_trusted' false \
    "DSS sample: chain_trusted false"
assert_json "$T/report.json" '.signatures[0].kind' xades "DSS sample: xades"
assert_json "$T/report.json" '.signatures[0].level' B-B "DSS sample: B-B"
xverify "$S/xades-generic-dss/dss-signed-altered-refRemoved.xml"
expect_rc 1 "altered DSS sample"
assert_json "$T/report.json" '.signatures[0].integrity' false \
    "altered DSS sample: integrity false"
xverify "$S/ubl21/UBL-Invoice-2.0-Enveloped.xml"
assert_json "$T/report.json" '.signatures[0].integrity' true \
    "UBL 2.0 enveloped sample (XPath transform, SHA-1): integrity true"
assert_json "$T/report.json" '.signatures[0].chain_trusted' false \
    "UBL 2.0 enveloped sample: chain_trusted false"
assert_json "$T/report.json" '[.signatures[0].warnings[] | select(test("SHA-1"))] | length > 0' \
    true "UBL 2.0 enveloped sample: SHA-1 reported as weak"

say "unsigned public invoices seal and verify"
for f in peppol-bis3-ubl/base-example.xml ubl21/UBL-Invoice-2.1-Example.xml \
    cii/CII_example1.xml sri-ec/invoice-original.xml; do
    for pl in auto enveloped; do
        o=$T/$(basename "$f" .xml)-$pl.xml
        xseal "$S/$f" "$o" "${KEYARGS[@]}" --placement "$pl"
        expect_valid "$o" 1 "$f/$pl"
        xmlsec_ok "$o" "$f/$pl"
        spliced "$S/$f" "$o" "$f/$pl"
    done
done

say "the UBL sample that holds a signature already (XPath transform)"
xseal "$S/ubl21/UBL-Invoice-2.0-Enveloped.xml" "$T/ubl20.xml" "${KEYARGS[@]}"
xverify "$T/ubl20.xml" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures | length' 2 "two signatures"
assert_json "$T/report.json" '.signatures[0].integrity' true \
    "the earlier UBL signature still verifies"
assert_json "$T/report.json" '.signatures[1].valid' true "the new seal is valid"

say "the signed DSS sample is not sealed over without --force"
run "$ESEAL" seal "${KEYARGS[@]}" -o "$T/dss.xml" \
    "$S/xades-generic-dss/dss-signed.xml"
expect_rc 1 "seal over the DSS signature"
done_ok
