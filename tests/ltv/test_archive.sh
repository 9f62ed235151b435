#!/bin/bash
# What B-LTA is for: 800 days later (faketime) the seal's certificate and
# the first timestamp authority's certificate (730 days) have expired.  A
# document whose archive timestamp was renewed with a second authority
# (certificate valid for 1500 days) still verifies offline, PDF and XML;
# one that was not renewed does not.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool faketime faketime
start_pki
start_ocsp
start_tsa A
set_keys
PDF=$SOURCE_ROOT/samples/demo/invoice.pdf
XML=$SOURCE_ROOT/samples/xml/invoice-ubl.xml

# a second timestamping unit, valid for about four years
mkdir -p "$T/tsa2"
cat >"$T/tsa2/ext.cnf" <<EOF
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:$HTTP_PORT/issuing-ca.crl.der
authorityInfoAccess = caIssuers;URI:http://127.0.0.1:$HTTP_PORT/issuing-ca.cer
EOF
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/tsa2/key.pem" 2>/dev/null || fail "genpkey"
must openssl req -new -key "$T/tsa2/key.pem" \
    -subj "/C=JP/O=DEMO Second TSA/CN=DEMO second timestamping unit" \
    -out "$T/tsa2/req.pem"
must openssl x509 -req -in "$T/tsa2/req.pem" -CA "$PKI/issuing-ca.pem" \
    -CAkey "$PKI/issuing-ca.key" -set_serial 0x7542 -days 1500 \
    -extfile "$T/tsa2/ext.cnf" -out "$T/tsa2/cert.pem"
"$TSA_SERVER" --port-file "$T/tsa2.port" --cert "$T/tsa2/cert.pem" \
    --key "$T/tsa2/key.pem" --chain "$PKI/chain.pem" >/dev/null 2>&1 &
SERVICE_PIDS+=($!)
wait_file "$T/tsa2.port" "the second timestamping unit"
TSA2=http://127.0.0.1:$(cat "$T/tsa2.port")/

later() {
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
        faketime "$(date -u -d '+800 days' '+%Y-%m-%d %H:%M:%S')" "$@"
}

say "sealed at B-LTA with the first authority, renewed with the second"
seal "$PDF" "$T/a.pdf" "${RSA[@]}" --level B-LTA --tsa "$TSA_A"
run "$ESEAL" extend --level B-LTA --tsa "$TSA2" -o "$T/a2.pdf" "$T/a.pdf"
expect_rc 0 "PDF: renewal with the second authority"
seal "$XML" "$T/a.xml" "${EC[@]}" --level B-LTA --tsa "$TSA_A"
run "$ESEAL" extend --level B-LTA --tsa "$TSA2" -o "$T/a2.xml" "$T/a.xml"
expect_rc 0 "XML: renewal with the second authority"
stop "$OCSP_PID"
stop "$PKI_SERVER_PID"

say "800 days later, offline"
for f in a2.pdf a2.xml; do
    run later "$ESEAL" verify --offline --json --trust "$PKI/trust.pem" \
        "$T/$f"
    cp "$T/.stdout" "$T/report.json"
    expect_rc 0 "$f: renewed archive timestamps keep the seal valid"
    assert_json "$T/report.json" '.signatures[0].level' B-LTA "$f: B-LTA"
    assert_json "$T/report.json" '.signatures[0].revocation' good \
        "$f: revocation at the seal's time, from the document"
    assert_json "$T/report.json" '[.document_timestamps[].valid] | all' \
        true "$f: every document timestamp valid"
done
for f in a.pdf a.xml; do
    run later "$ESEAL" verify --offline --json --trust "$PKI/trust.pem" \
        "$T/$f"
    cp "$T/.stdout" "$T/report.json"
    expect_rc 1 "$f: not renewed, its timestamps' authority has expired"
    jq -r '.. | strings' "$T/report.json" | grep 'expired' >/dev/null ||
        fail "$f: no message says what expired: $(cat "$T/report.json")"
    ok "$f: the report says a certificate expired"
done
done_ok
