#!/bin/bash
# xmlsec1 knows nothing of XAdES: recompute SigningCertificateV2 (digest of
# the certificate, IssuerSerialV2) and SigningCertificate v1 with openssl,
# and check that a changed SigningTime or amount fails verification.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool base64 coreutils
make_pki
key_args rsa
X='//*[local-name()="SignedProperties"]'

say "SigningCertificateV2 against openssl"
o=$T/v2.xml
xseal "$XSAMPLES/invoice-ubl.xml" "$o" "${KEYARGS[@]}" --digest sha384
want=$(openssl x509 -in "$PKI/eseal-rsa.pem" -outform DER |
    openssl dgst -sha384 -binary | base64 -w0)
got=$(xpath "$o" "string($X//*[local-name()='SigningCertificateV2']//*[local-name()='CertDigest']/*[local-name()='DigestValue'])")
assert_eq "$got" "$want" "CertDigest = SHA-384 of the certificate (openssl)"
assert_eq "$(xpath "$o" "string($X//*[local-name()='CertDigest']/*[local-name()='DigestMethod']/@Algorithm)")" \
    http://www.w3.org/2001/04/xmldsig-more#sha384 "CertDigest method SHA-384"
xpath "$o" "string($X//*[local-name()='IssuerSerialV2'])" | base64 -d \
    >"$T/is.der" || fail "IssuerSerialV2 is not base64"
openssl asn1parse -inform DER -in "$T/is.der" >"$T/is.txt" ||
    fail "IssuerSerialV2 is not DER"
serial=$(openssl x509 -in "$PKI/eseal-rsa.pem" -noout -serial | cut -d= -f2)
assert_grep "INTEGER *:0*$serial\$" "$T/is.txt" \
    "IssuerSerialV2 holds the certificate's serial ($serial)"
assert_grep 'cont \[ 4 \]' "$T/is.txt" "IssuerSerialV2: directoryName"
openssl x509 -in "$PKI/eseal-rsa.pem" -noout -issuer -nameopt RFC2253 \
    >"$T/issuer.txt"
openssl asn1parse -inform DER -in "$T/is.der" -strparse 4 >/dev/null 2>&1 ||
    true
issuer_cn=$(sed -n "s/.*CN=\([^,(]*\).*/\1/p" "$T/issuer.txt")
assert_grep "$issuer_cn" "$T/is.txt" "IssuerSerialV2 names the issuer"
assert_eq "$(xpath "$o" "string($X//*[local-name()='SigningTime'])" |
    grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')" 1 \
    "SigningTime in UTC"
assert_eq "$(xpath "$o" "string($X//*[local-name()='DataObjectFormat']/*[local-name()='MimeType'])")" \
    text/xml "DataObjectFormat MimeType"
ref0=$(xpath "$o" 'string(//*[local-name()="Reference"][@URI=""]/@Id)')
assert_eq "$(xpath "$o" "string($X//*[local-name()='DataObjectFormat']/@ObjectReference)")" \
    "#$ref0" "DataObjectFormat points at the document reference"
sid=$(xpath "$o" 'string(//*[local-name()="Signature"]/@Id)')
assert_eq "$(xpath "$o" 'string(//*[local-name()="QualifyingProperties"]/@Target)')" \
    "#$sid" "QualifyingProperties Target = the signature Id"
assert_eq "$(xpath "$o" 'string(//*[local-name()="Reference"][@Type="http://uri.etsi.org/01903#SignedProperties"]/@URI)')" \
    "#$(xpath "$o" "string($X/@Id)")" "SignedProperties reference with its Type"
assert_eq "$(xpath "$o" 'count(//*[local-name()="KeyInfo"]//*[local-name()="X509Certificate"])')" \
    3 "KeyInfo: the certificate and its chain"

say "SigningCertificate v1 against openssl"
xseal "$XSAMPLES/invoice-ubl.xml" "$T/v1.xml" "${KEYARGS[@]}" \
    --signing-certificate v1
want=$(openssl x509 -in "$PKI/eseal-rsa.pem" -outform DER |
    openssl dgst -sha256 -binary | base64 -w0)
assert_eq "$(xpath "$T/v1.xml" "string($X//*[local-name()='CertDigest']/*[local-name()='DigestValue'])")" \
    "$want" "v1 CertDigest = SHA-256 of the certificate"
dec=$(openssl x509 -in "$PKI/eseal-rsa.pem" -noout -serial | cut -d= -f2 |
    python3 -c 'import sys; print(int(sys.stdin.read().strip(), 16))')
assert_eq "$(xpath "$T/v1.xml" "string($X//*[local-name()='X509SerialNumber'])")" \
    "$dec" "v1 X509SerialNumber (decimal)"

say "a changed SigningTime fails"
sed -E 's|(<xades:SigningTime>)[0-9]{4}|\12001|' "$o" >"$T/time.xml"
cmp -s "$o" "$T/time.xml" && fail "SigningTime not changed"
xverify "$T/time.xml" --trust "$PKI/trust.pem"
expect_rc 1 "eseal verify with a changed SigningTime"
assert_json "$T/report.json" '.signatures[0].integrity' false \
    "changed SigningTime: integrity false"
xmlsec_fails "$T/time.xml" "changed SigningTime"

say "one changed character of the amount fails"
sed 's|>11000</cbc:PayableAmount>|>11001</cbc:PayableAmount>|' "$o" \
    >"$T/amount.xml"
cmp -s "$o" "$T/amount.xml" && fail "amount not changed"
xverify "$T/amount.xml" --trust "$PKI/trust.pem"
expect_rc 1 "eseal verify with a changed amount"
assert_json "$T/report.json" '.signatures[0].integrity' false \
    "changed amount: integrity false"
assert_json "$T/report.json" '.signatures[0].modifications_after' forbidden \
    "changed amount: modifications forbidden"
xmlsec_fails "$T/amount.xml" "changed amount"

say "an untrusted chain"
xverify "$o"
expect_rc 1 "verify without --trust"
assert_json "$T/report.json" '.signatures[0].integrity' true \
    "no trust anchor: integrity still true"
assert_json "$T/report.json" '.signatures[0].chain_trusted' false \
    "no trust anchor: chain not trusted"

say "signature policy (EPES)"
h=$(printf 'policy document' | openssl dgst -sha256 -binary | base64 -w0)
# the command line has no policy option yet: the library is tested in the
# unit tests; here only check that a plain seal has no policy
assert_no_grep 'SignaturePolicyIdentifier' "$o" "no policy unless asked"
: "$h"
done_ok
