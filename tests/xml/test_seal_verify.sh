#!/bin/bash
# Every committed sample seals in the placements that apply, with RSA,
# RSA-PSS, ECDSA P-256/P-384 and each canonicalization; eseal and xmlsec1
# (which trusts only the KeyInfo certificate chained to the demo root)
# verify the result.
. "$(dirname "$0")/lib.sh" || exit 1
make_pki

for f in invoice-ubl invoice-utf8 invoice-ubl-ext invoice-cii generic; do
    placements="enveloped"
    case $f in invoice-ubl*|invoice-utf8) placements="ubl enveloped" ;; esac
    for pl in auto $placements; do
        for kind in rsa ec; do
            say "$f, placement $pl, $kind"
            key_args "$kind"
            o=$T/$f-$pl-$kind.xml
            xseal "$XSAMPLES/$f.xml" "$o" "${KEYARGS[@]}" --placement "$pl"
            expect_valid "$o" 1 "$f/$pl/$kind"
            xmlsec_ok "$o" "$f/$pl/$kind"
        done
    done
done

say "where the placements put the seal"
o=$T/invoice-ubl-auto-rsa.xml
assert_eq "$(xpath "$o" 'local-name(/*/*[1])')" UBLExtensions \
    "auto on UBL: UBLExtensions is the root's first child"
assert_eq "$(xpath "$o" 'string(//*[local-name()="ExtensionURI"])')" \
    urn:oasis:names:specification:ubl:dsig:enveloped:xades \
    "UBL 2.1 ExtensionURI"
assert_eq "$(xpath "$o" 'count(//*[local-name()="UBLDocumentSignatures"]/*[local-name()="SignatureInformation"]/*[local-name()="Signature"])')" \
    1 "ds:Signature inside sig:UBLDocumentSignatures/sac:SignatureInformation"
o=$T/invoice-ubl-ext-auto-rsa.xml
assert_eq "$(xpath "$o" 'count(/*/*[local-name()="UBLExtensions"]/*)')" 2 \
    "an existing UBLExtensions gets a second UBLExtension"
o=$T/generic-auto-rsa.xml
assert_eq "$(xpath "$o" 'local-name(/*/*[last()])')" Signature \
    "generic XML: ds:Signature is the last child of the root"
o=$T/invoice-cii-auto-rsa.xml
assert_eq "$(xpath "$o" 'local-name(/*/*[last()])')" Signature \
    "CII: enveloped as the root's last child"

say "warnings where a placement breaks the document's schema"
key_args rsa
xseal "$XSAMPLES/invoice-cii.xml" "$T/w-cii.xml" "${KEYARGS[@]}"
assert_grep 'eseal: warning: .*invoice-cii\.xml: the CII schema has no place for a signature.*\[xml-schema-no-signature\]$' \
    "$T/.stderr" "CII: warning naming the file, sealed anyway"
expect_valid "$T/w-cii.xml" 1 "CII sealed despite the warning"
xseal "$XSAMPLES/invoice-ubl.xml" "$T/w-ubl.xml" "${KEYARGS[@]}" \
    --placement enveloped
assert_grep '\[xml-schema-no-signature\]$' "$T/.stderr" \
    "UBL forced to the enveloped placement: warning"
printf '%s\n' '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">' \
    '<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>' \
    '<cbc:ID>P-1</cbc:ID></Invoice>' >"$T/peppol.xml"
xseal "$T/peppol.xml" "$T/w-peppol.xml" "${KEYARGS[@]}"
assert_grep 'UBL-CR-001.*\[en16931-ubl-extensions\]$' "$T/.stderr" \
    "Peppol BIS 3 invoice: the UBLExtensions warning"
grep -v CustomizationID "$T/peppol.xml" >"$T/plain-ubl.xml"
for f in "$XSAMPLES/generic.xml" "$T/plain-ubl.xml"; do
    xseal "$f" "$T/w-quiet.xml" "${KEYARGS[@]}"
    [ ! -s "$T/.stderr" ] || fail "${f##*/}: unexpected output on stderr"
    ok "${f##*/}: no warning"
done

say "algorithms and options"
key_args ec384
xseal "$XSAMPLES/invoice-ubl.xml" "$T/ec384.xml" "${KEYARGS[@]}" --digest sha384
expect_valid "$T/ec384.xml" 1 "ECDSA P-384 SHA-384"
xmlsec_ok "$T/ec384.xml" "ECDSA P-384 SHA-384"
assert_grep 'xmldsig-more#ecdsa-sha384' "$T/ec384.xml" "ecdsa-sha384 method"
key_args rsa
for c in exc c14n c14n11; do
    xseal "$XSAMPLES/invoice-ubl.xml" "$T/c-$c.xml" "${KEYARGS[@]}" --c14n "$c" \
        --digest sha512
    expect_valid "$T/c-$c.xml" 1 "--c14n $c (UBL, nested placement)"
    xmlsec_ok "$T/c-$c.xml" "--c14n $c"
done
assert_grep 'REC-xml-c14n-20010315' "$T/c-c14n.xml" "inclusive c14n named"
assert_grep 'xml-c14n11' "$T/c-c14n11.xml" "c14n 1.1 named"
xseal "$XSAMPLES/invoice-ubl.xml" "$T/v1.xml" "${KEYARGS[@]}" \
    --signing-certificate v1
expect_valid "$T/v1.xml" 1 "--signing-certificate v1"
assert_grep '<xades:SigningCertificate>' "$T/v1.xml" "v1 SigningCertificate"
assert_no_grep 'SigningCertificateV2' "$T/v1.xml" "no SigningCertificateV2"
xmlsec_ok "$T/v1.xml" "--signing-certificate v1"

say "RSA-PSS (xmlsec1 1.2.37 does not know RFC 6931's PSS URIs)"
key_args rsa-pss
xseal "$XSAMPLES/invoice-ubl.xml" "$T/pss.xml" "${KEYARGS[@]}"
assert_grep 'xmldsig-more#sha256-rsa-MGF1' "$T/pss.xml" "sha256-rsa-MGF1"
expect_valid "$T/pss.xml" 1 "RSA-PSS"
xmlsec_fails "$T/pss.xml" "RSA-PSS"

say "PKCS#12 key and standard input/output"
run "$ESEAL" seal --key "$PKI/eseal-rsa.p12" --pass-file "$PKI/eseal-rsa.p12.pass" \
    --format xml -o - - <"$XSAMPLES/invoice-ubl.xml"
expect_rc 0 "seal from stdin to stdout with a PKCS#12"
out >"$T/p12.xml"
expect_valid "$T/p12.xml" 1 "PKCS#12"
done_ok
