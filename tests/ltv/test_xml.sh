#!/bin/bash
# XAdES B-T, B-LT and B-LTA: eseal seal and eseal extend against local
# services.  Independent checks: the SignatureValue canonicalized by
# Python's C14N and the token checked by openssl ts -verify; the
# RevocationValues' OCSP responses by openssl ocsp; xmlsec1 still verifies
# every output.  Archive timestamp renewal, changed validation data, and
# --offline with the services stopped.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool xmlsec1 xmlsec1
start_pki
start_ocsp
start_tsa A
set_keys
UBL=$SOURCE_ROOT/samples/xml/invoice-ubl.xml
CII=$SOURCE_ROOT/samples/xml/invoice-cii.xml
SJIS=$SOURCE_ROOT/samples/xml/invoice-sjis.xml
for f in "$UBL" "$CII" "$SJIS"; do assert_file "$f" "sample $(basename "$f")"; done

# xmlsec_ok FILE: xmlsec1 verifies the first signature with the key of
# its certificate, the chain against the demo root.
xmlsec_ok() {
    run xmlsec1 --verify --enabled-key-data x509 \
        --trusted-pem "$PKI/trust.pem" --untrusted-pem "$PKI/issuing-ca.pem" \
        --id-attr:Id 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties' \
        "$1"
    [ "$RC" -eq 0 ] || fail "xmlsec1 --verify $(basename "$1")"
    ok "xmlsec1 --verify $(basename "$1")"
}

# sigts_check FILE WHAT: the SignatureTimeStamp's token covers the
# canonical SignatureValue, as openssl ts recomputes it.
sigts_check() {
    local p=$T/$(basename "$1" .xml)
    read -r has n_ocsp n_crl <<<"$(python3 "$PARTS" xml "$1" "$p")"
    [ "$has" = 1 ] || fail "$2: no SignatureTimeStamp"
    ts_verify "$p.sigts.der" "$p.sv.c14n" "$2: signature timestamp"
}

# ---------------------------------------------------------------------------
say "B-T in the UBL placement (ECDSA)"
seal "$UBL" "$T/t.xml" "${EC[@]}" --level B-T --tsa "$TSA_A"
verify_json "$T/t.xml" --trust "$PKI/trust.pem"
expect_rc 0 "verify B-T"
assert_json "$T/report.json" '.signatures[0].level' B-T "level B-T"
assert_json "$T/report.json" '.signatures[0].timestamp_time != null' true \
    "timestamp time reported"
sigts_check "$T/t.xml" "UBL B-T"
xmlsec_ok "$T/t.xml"
cmp -s -n "$(grep -b -o '<ext:UBLExtensions' "$T/t.xml" | head -1 |
    cut -d: -f1)" "$UBL" "$T/t.xml" ||
    fail "the bytes before the seal changed"
ok "the document's bytes before the seal are unchanged"

say "B-LT enveloped (RSA), Shift_JIS document"
seal "$SJIS" "$T/lt.xml" "${RSA[@]}" --level B-LT --tsa "$TSA_A"
verify_json "$T/lt.xml" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "B-LT valid"
assert_json "$T/report.json" '.signatures[0].level' B-LT "level B-LT"
sigts_check "$T/lt.xml" "Shift_JIS B-LT"
p=$T/lt
[ "$n_ocsp" -ge 2 ] && [ "$n_crl" -ge 1 ] ||
    fail "RevocationValues: $n_ocsp OCSP, $n_crl CRLs"
for r in "$p".ocsp-*.der; do
    ocsp_good "$r" "RevocationValues $(basename "$r")"
done
assert_grep '<xades:CertificateValues>' "$T/lt.xml" "CertificateValues"
xmlsec_ok "$T/lt.xml"
head -c 200 "$T/lt.xml" | grep 'Shift_JIS' >/dev/null || fail "encoding declaration"
iconv -f SHIFT_JIS -t UTF-8 "$T/lt.xml" >/dev/null ||
    fail "the output is not Shift_JIS any more"
ok "still a Shift_JIS document"

say "B-LTA (CII, enveloped)"
seal "$CII" "$T/lta.xml" "${RSA[@]}" --level B-LTA --tsa "$TSA_A"
verify_json "$T/lta.xml" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "B-LTA valid"
assert_json "$T/report.json" '.signatures[0].level' B-LTA "level B-LTA"
assert_grep '<xades141:ArchiveTimeStamp' "$T/lta.xml" "ArchiveTimeStamp"
sigts_check "$T/lta.xml" "CII B-LTA"
xmlsec_ok "$T/lta.xml"

say "changed validation data breaks the archive timestamp"
python3 - "$T/lta.xml" "$T/lta-changed.xml" <<'EOF'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
i = s.index("<xades:EncapsulatedOCSPValue>") + len("<xades:EncapsulatedOCSPValue>")
# another valid base64 character in the response (still base64)
c = s[i + 40]
s = s[:i + 40] + ("A" if c != "A" else "B") + s[i + 41:]
open(sys.argv[2], "w", encoding="utf-8").write(s)
EOF
verify_json "$T/lta-changed.xml" --trust "$PKI/trust.pem"
expect_rc 1 "a changed OCSP response"
assert_json "$T/report.json" '.signatures[0].errors | map(test("archive timestamp")) | any' \
    true "the archive timestamp no longer matches"
xmlsec_ok "$T/lta-changed.xml"

say "B-LTA on every sample: BOM, CRLF, ISO-8859-1, an existing UBL extension"
for name in generic invoice-bom invoice-crlf invoice-latin1 invoice-ubl-ext; do
    f=$SOURCE_ROOT/samples/xml/$name.xml
    assert_file "$f" "sample $name.xml"
    seal "$f" "$T/s-$name.xml" "${EC[@]}" --level B-LTA --tsa "$TSA_A"
    verify_json "$T/s-$name.xml" --trust "$PKI/trust.pem"
    assert_json "$T/report.json" '[.valid, .signatures[-1].level]' '[
  true,
  "B-LTA"
]' "$name.xml: valid B-LTA"
    xmlsec_ok "$T/s-$name.xml"
done
[ "$(tr -cd '\r' <"$T/s-invoice-crlf.xml" | wc -c)" -eq \
  "$(tr -cd '\n' <"$T/s-invoice-crlf.xml" | wc -c)" ] ||
    fail "invoice-crlf: the added properties do not use CRLF line ends"
ok "invoice-crlf: every line ends with CRLF, the added ones too"

# ---------------------------------------------------------------------------
say "eseal extend: B-B to B-LTA, then a renewal"
seal "$UBL" "$T/bb.xml" "${RSA[@]}"
run "$ESEAL" extend --level B-LT --tsa "$TSA_A" -o "$T/ext-lt.xml" "$T/bb.xml"
expect_rc 0 "extend B-B to B-LT"
verify_json "$T/ext-lt.xml" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures[0].level' B-LT "extended: B-LT"
sigts_check "$T/ext-lt.xml" "extended B-LT"
is_prefix_upto() { cmp -s -n "$3" "$1" "$2"; }
n=$(grep -b -o '</ds:SignatureValue>' "$T/bb.xml" | cut -d: -f1)
is_prefix_upto "$T/bb.xml" "$T/ext-lt.xml" "$n" ||
    fail "extend changed the bytes before the unsigned properties"
ok "extend keeps the document's and the signature's bytes"
run "$ESEAL" extend --level B-LTA --tsa "$TSA_A" -o "$T/ext-lta.xml" \
    "$T/ext-lt.xml"
expect_rc 0 "extend B-LT to B-LTA"
run "$ESEAL" extend --level B-LTA --tsa "$TSA_A" -o "$T/ext-lta2.xml" \
    "$T/ext-lta.xml"
expect_rc 0 "renew the archive timestamp"
[ "$(grep -o '<xades141:ArchiveTimeStamp' "$T/ext-lta2.xml" | wc -l)" -eq 2 ] ||
    fail "renewal: not two archive timestamps"
assert_grep '<xades141:TimeStampValidationData' "$T/ext-lta2.xml" \
    "renewal: TimeStampValidationData for the first archive timestamp"
verify_json "$T/ext-lta2.xml" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "renewed: valid"
assert_json "$T/report.json" '.signatures[0].level' B-LTA "renewed: B-LTA"
xmlsec_ok "$T/ext-lta2.xml"

say "co-seals: two B-LT seals, each extended on its own"
seal "$CII" "$T/co1.xml" "${RSA[@]}" --co-seal --level B-LT --tsa "$TSA_A"
seal "$T/co1.xml" "$T/co2.xml" "${EC[@]}" --co-seal --level B-LT \
    --tsa "$TSA_A"
verify_json "$T/co2.xml" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "two B-LT co-seals valid"
assert_json "$T/report.json" '[.signatures[].level] | unique' '[
  "B-LT"
]' "both B-LT"

# ---------------------------------------------------------------------------
say "--offline with the services stopped"
stop "$OCSP_PID"
stop "$PKI_SERVER_PID"
stop "$TSA_A_PID"
for f in lta ext-lta2 lt; do
    verify_json "$T/$f.xml" --offline --trust "$PKI/trust.pem"
    expect_rc 0 "offline: $f.xml"
    assert_json "$T/report.json" '.signatures[0].revocation' good \
        "offline $f.xml: revocation from RevocationValues"
done
verify_json "$T/t.xml" --offline --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures[0].revocation' not_checked \
    "offline B-T: not checked"
run "$ESEAL" extend --level B-LT --tsa "$TSA_A" -o "$T/never.xml" "$T/bb.xml"
expect_fail "extend with the services down" "refused" "$T/never.xml"
done_ok
