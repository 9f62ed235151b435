#!/bin/bash
# PAdES B-T, B-LT and B-LTA made by eseal seal against local services (an
# RFC 3161 service, openssl ocsp, CRLs and CA certificates over HTTP),
# checked by eseal verify and independently: openssl ts -verify recomputes
# each imprint, openssl ocsp parses the embedded responses, pdfsig still
# finds the seal valid, qpdf --check.  Then verify --offline with every
# service stopped, and an expired certificate whose seal has an earlier
# timestamp (faketime).
. "$(dirname "$0")/lib.sh" || exit 1
need_tool pdfsig poppler-utils
need_tool qpdf qpdf
need_tool faketime faketime
start_pki
start_ocsp
start_tsa A
set_keys
IN=$SOURCE_ROOT/samples/demo/invoice.pdf
assert_file "$IN" "sample invoice"

# token_time TOKEN: genTime as openssl prints it, in RFC 3339.
token_time() {
    local t
    t=$(openssl ts -reply -in "$1" -token_in -text 2>/dev/null |
        sed -n 's/^Time stamp: //p')
    [ -n "$t" ] || fail "openssl ts -reply -text $1 shows no time"
    date -u -d "$t" '+%Y-%m-%dT%H:%M:%SZ'
}

# sig1_valid FILE: pdfsig still finds the first (CAdES) signature valid.
sig1_valid() {
    run pdfsig -nocert "$1"
    awk '/^Signature #1:/ { s = 1; next } /^Signature #/ { s = 0 } s' \
        "$T/.stdout" | grep 'Signature Validation: Signature is Valid' >/dev/null ||
        fail "pdfsig: the seal of $(basename "$1") is not valid: $(out)"
    ok "pdfsig: the seal of $(basename "$1") is valid"
}

# ---------------------------------------------------------------------------
say "B-T: a signature timestamp in the CMS"
seal "$IN" "$T/bt.pdf" "${RSA[@]}" --level B-T --tsa "$TSA_A"
verify_json "$T/bt.pdf" --trust "$PKI/trust.pem"
expect_rc 0 "eseal verify B-T"
assert_json "$T/report.json" '.valid' true "B-T valid"
assert_json "$T/report.json" '.signatures[0].level' B-T "level B-T"
assert_json "$T/report.json" '.signatures[0].revocation' good \
    "revocation good (fetched: nothing is embedded at B-T)"
assert_json "$T/report.json" \
    '.signatures[0].timestamp_authority | test("Timestamping Unit")' true \
    "timestamp authority named"
extract_sig "$T/bt.pdf" 1 "$T/bt1"
[ "$(python3 "$PARTS" cms "$T/bt1.der" "$T/bt1")" = 1 ] ||
    fail "the CMS does not hold exactly one signature timestamp"
ts_verify "$T/bt1.ts1.der" "$T/bt1.sigvalue" "signature timestamp over the signature value"
assert_json "$T/report.json" '.signatures[0].timestamp_time' \
    "$(token_time "$T/bt1.ts1.der")" "timestamp_time is the token's genTime"
pdfsig_check "$T/bt.pdf" 1
cms_verify "$T/bt.pdf" 1

say "B-T with ECDSA P-384 and SHA-384 imprints"
seal "$IN" "$T/bt384.pdf" --key "$PKI/eseal-ec384.key" \
    --cert "$PKI/eseal-ec384.pem" --chain "$PKI/chain.pem" --level B-T \
    --tsa "$TSA_A"
verify_json "$T/bt384.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures[0].level' B-T "P-384: level B-T"
extract_sig "$T/bt384.pdf" 1 "$T/b384"
python3 "$PARTS" cms "$T/b384.der" "$T/b384" >/dev/null
openssl ts -reply -in "$T/b384.ts1.der" -token_in -text 2>/dev/null |
    grep -q 'Hash Algorithm: sha384' || fail "P-384: imprint not SHA-384"
ts_verify "$T/b384.ts1.der" "$T/b384.sigvalue" "P-384 signature timestamp"

say "tokens larger than the room kept for them"
# an authority whose tokens carry its chain six times over (> 14 KB)
for i in 1 2 3 4 5 6; do cat "$PKI/chain.pem" "$PKI/tsa.pem"; done \
    >"$T/big-chain.pem"
"$TSA_SERVER" --port-file "$T/tsa-big.port" --cert "$PKI/tsa.pem" \
    --key "$PKI/tsa.key" --chain "$T/big-chain.pem" >/dev/null 2>&1 &
SERVICE_PIDS+=($!)
wait_file "$T/tsa-big.port" "tsa_server with big tokens"
BIG=http://127.0.0.1:$(cat "$T/tsa-big.port")/
seal "$IN" "$T/big.pdf" "${EC[@]}" --level B-LTA --tsa "$BIG"
extract_sig "$T/big.pdf" 1 "$T/big1"
python3 "$PARTS" cms "$T/big1.der" "$T/big1" >/dev/null
[ "$(stat -c %s "$T/big1.ts1.der")" -gt 8192 ] ||
    fail "fixture: the big token is only $(stat -c %s "$T/big1.ts1.der") bytes"
ts_verify "$T/big1.ts1.der" "$T/big1.sigvalue" "a big signature timestamp"
verify_json "$T/big.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "big tokens: valid"
assert_json "$T/report.json" '.signatures[0].level' B-LTA "big tokens: B-LTA"
sig1_valid "$T/big.pdf"
ok "the seal and the document timestamp started over with the room they need"

# ---------------------------------------------------------------------------
say "B-LT: chains, OCSP responses and CRLs in the /DSS"
seal "$IN" "$T/blt.pdf" "${RSA[@]}" --level B-LT --tsa "$TSA_A"
verify_json "$T/blt.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "B-LT valid"
assert_json "$T/report.json" '.signatures[0].level' B-LT "level B-LT"
assert_json "$T/report.json" '.signatures[0].modifications_after' \
    permitted "the DSS update is a permitted change"
mkdir -p "$T/dss-lt"
read -r n_certs n_ocsps n_crls <<<"$(python3 "$PARTS" dss "$T/blt.pdf" \
    "$T/dss-lt")"
[ "$n_ocsps" -ge 2 ] || fail "DSS: $n_ocsps OCSP responses (seal, TSA)"
[ "$n_crls" -ge 1 ] || fail "DSS: no CRL (the issuing CA's status)"
[ "$n_certs" -ge 4 ] || fail "DSS: only $n_certs certificates"
ok "DSS: $n_certs certificates, $n_ocsps OCSP responses, $n_crls CRLs"
for r in "$T"/dss-lt/ocsp-*.der; do
    ocsp_good "$r" "DSS $(basename "$r")"
done
openssl crl -inform DER -in "$T/dss-lt/crl-1.der" -noout -issuer |
    grep -q 'Root CA' || fail "DSS: the CRL is not the root CA's"
ok "DSS: the root CA's CRL (the issuing CA has no OCSP)"
for c in eseal-rsa tsa issuing-ca root-ca; do
    want=$(openssl x509 -in "$PKI/$c.pem" -outform DER | sha256sum)
    found=0
    for f in "$T"/dss-lt/cert-*.der; do
        [ "$(sha256sum <"$f")" = "$want" ] && found=1
    done
    [ "$found" = 1 ] || fail "DSS: $c.pem is missing"
done
ok "DSS: the seal's and the TSA's chains"
sig1_valid "$T/blt.pdf"
qpdf_ok "$T/blt.pdf" || fail "qpdf --check blt.pdf"
ok "qpdf --check blt.pdf"

# ---------------------------------------------------------------------------
say "B-LTA: a document timestamp over everything"
seal "$IN" "$T/blta.pdf" "${RSA[@]}" --level B-LTA --tsa "$TSA_A"
verify_json "$T/blta.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "B-LTA valid"
assert_json "$T/report.json" '.signatures[0].level' B-LTA "level B-LTA"
assert_json "$T/report.json" '.document_timestamps | length' 1 \
    "one document timestamp"
assert_json "$T/report.json" '.document_timestamps[0].valid' true \
    "the document timestamp verifies"
assert_grep '/Type */DocTimeStamp' "$T/blta.pdf" "/Type /DocTimeStamp"
assert_grep '/SubFilter */ETSI\.RFC3161' "$T/blta.pdf" \
    "/SubFilter /ETSI.RFC3161"
extract_sig "$T/blta.pdf" 2 "$T/dts"
ts_verify "$T/dts.der" "$T/dts.bin" "document timestamp over its byte range"
read -r a b c d <<<"$(byteranges "$T/blta.pdf" | sed -n 2p)"
[ $((c + d)) -eq "$(stat -c %s "$T/blta.pdf")" ] ||
    fail "the document timestamp does not cover the whole file"
ok "the document timestamp covers the whole file, DSS included"
assert_json "$T/report.json" '.document_timestamps[0].time' \
    "$(token_time "$T/dts.der")" "document timestamp time"
sig1_valid "$T/blta.pdf"
qpdf_ok "$T/blta.pdf" || fail "qpdf --check blta.pdf"
ok "qpdf --check blta.pdf"
run "$ESEAL" verify --trust "$PKI/trust.pem" "$T/blta.pdf"
grep -q 'timestamp:' "$T/.stdout" && grep -q 'document timestamp 1: valid' \
    "$T/.stdout" || fail "text report lacks the timestamps: $(out)"
ok "text report shows the timestamps"

say "B-LTA on every kind of PDF structure, and after a certification seal"
for name in classic hybrid linearized pdfa gs cairo updated-twice version-1.2; do
    seal "$(sample "$name")" "$T/s-$name.pdf" "${EC[@]}" --level B-LTA \
        --tsa "$TSA_A"
    verify_json "$T/s-$name.pdf" --trust "$PKI/trust.pem"
    assert_json "$T/report.json" \
        '[.valid, .signatures[0].level, .document_timestamps[0].valid]' \
        '[
  true,
  "B-LTA",
  true
]' "$name.pdf: valid B-LTA"
    sig1_valid "$T/s-$name.pdf"
    qpdf_ok "$T/s-$name.pdf" || fail "qpdf --check s-$name.pdf"
done
seal "$IN" "$T/selfcheck.pdf" "${RSA[@]}" --self-check --level B-LTA \
    --tsa "$TSA_A"
ok "--self-check: Poppler checks the seal before the DSS and the document timestamp"
seal "$IN" "$T/certified.pdf" "${RSA[@]}" --certify --level B-LTA \
    --tsa "$TSA_A"
verify_json "$T/certified.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '[.valid, .signatures[0].modifications_after]' \
    '[
  true,
  "permitted"
]' "certification seal (P=2) with DSS and document timestamp: valid"

# ---------------------------------------------------------------------------
say "an expired certificate whose seal has an earlier timestamp (faketime)"
# a certificate valid for one more day, pointing at the services
issue_leaf "$T/short" "/C=JP/O=DEMO Short K.K./CN=DEMO short-lived seal" \
    5e41 1 'basicConstraints = critical,CA:FALSE' \
    'keyUsage = critical,digitalSignature,nonRepudiation' \
    'subjectKeyIdentifier = hash' 'authorityKeyIdentifier = keyid' \
    "crlDistributionPoints = URI:http://127.0.0.1:$HTTP_PORT/issuing-ca.crl.der" \
    "authorityInfoAccess = OCSP;URI:http://127.0.0.1:$HTTP_PORT/ocsp,caIssuers;URI:http://127.0.0.1:$HTTP_PORT/issuing-ca.cer"
SHORT=(--key "$T/short/key.pem" --cert "$T/short/cert.pem"
    --chain "$PKI/chain.pem")
seal "$IN" "$T/short-lt.pdf" "${SHORT[@]}" --level B-LT --tsa "$TSA_A"
seal "$IN" "$T/short-t.pdf" "${SHORT[@]}" --level B-T --tsa "$TSA_A"
seal "$IN" "$T/short-b.pdf" "${SHORT[@]}"
FUTURE=$(date -u -d '+3 days' '+%Y-%m-%d %H:%M:%S')
# libfaketime is preloaded ahead of a sanitizer runtime: let it be
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
run faketime "$FUTURE" "$ESEAL" verify --offline --json \
    --trust "$PKI/trust.pem" "$T/short-lt.pdf"
cp "$T/.stdout" "$T/report.json"
assert_json "$T/report.json" '.valid' true \
    "3 days later: the expired seal with an earlier timestamp is valid"
assert_json "$T/report.json" '.signatures[0].chain_trusted' true \
    "3 days later: chain checked at the timestamp's time"
assert_json "$T/report.json" '.signatures[0].level' B-LT \
    "3 days later: still B-LT"
assert_json "$T/report.json" '.signatures[0].revocation' good \
    "3 days later: revocation from the DSS (a CRL: OCSP does not know it)"
run faketime "$FUTURE" "$ESEAL" verify --offline --json \
    --trust "$PKI/trust.pem" "$T/short-t.pdf"
cp "$T/.stdout" "$T/report.json"
assert_json "$T/report.json" '.valid' true "3 days later: B-T still valid"
run faketime "$FUTURE" "$ESEAL" verify --offline --json \
    --trust "$PKI/trust.pem" "$T/short-b.pdf"
cp "$T/.stdout" "$T/report.json"
expect_rc 1 "3 days later: the B-B seal of the expired certificate"
assert_json "$T/report.json" '.signatures[0].errors | map(test("expired")) | any' \
    true "3 days later: B-B fails for the expired certificate"

# ---------------------------------------------------------------------------
say "--offline with every service stopped"
stop "$OCSP_PID"
stop "$PKI_SERVER_PID"
stop "$TSA_A_PID"
verify_json "$T/blta.pdf" --offline --trust "$PKI/trust.pem"
expect_rc 0 "offline: B-LTA"
assert_json "$T/report.json" '.signatures[0].revocation' good \
    "offline: revocation good from the DSS"
assert_json "$T/report.json" '.signatures[0].level' B-LTA "offline: B-LTA"
assert_json "$T/report.json" '.signatures[0].warnings | length' 0 \
    "offline: no warning"
verify_json "$T/bt.pdf" --offline --trust "$PKI/trust.pem"
expect_rc 0 "offline: B-T"
assert_json "$T/report.json" '.signatures[0].revocation' not_checked \
    "offline B-T: revocation not checked"
assert_json "$T/report.json" '.signatures[0].warnings | map(test("offline")) | any' \
    true "offline B-T: a warning says why"
# a /DSS whose object cannot be read (its header damaged, offsets kept):
# a report still comes out (it used to be an error without one): the seal
# intact, checked without the DSS's data, a warning saying so, and the
# damaged update after the seal not permitted
python3 - "$T/blt.pdf" "$T/blt-baddss.pdf" <<'PYEOF'
import re, sys
data = open(sys.argv[1], "rb").read()
num = re.findall(rb"/DSS\s+(\d+)\s+0\s+R", data)[-1]
head = b"\n" + num + b" 0 obj"
at = data.rindex(head)
data = data[:at] + b"\n" + num + b" 0 xxx" + data[at + len(head):]
open(sys.argv[2], "wb").write(data)
PYEOF
verify_json "$T/blt-baddss.pdf" --offline --trust "$PKI/trust.pem"
expect_rc 1 "a damaged /DSS: a document problem, with a report"
assert_json "$T/report.json" '.signatures[0].integrity' true \
    "damaged /DSS: integrity"
assert_json "$T/report.json" '.signatures[0].modifications_after' forbidden \
    "damaged /DSS: the unreadable update is not a permitted change"
assert_json "$T/report.json" '.signatures[0].level' B-T \
    "damaged /DSS: B-T (the DSS's data is not used)"
assert_json "$T/report.json" '.signatures[0].revocation' not_checked \
    "damaged /DSS, offline: revocation not checked"
assert_json "$T/report.json" \
    '.signatures[0].warnings | map(test("/DSS could not be read")) | any' \
    true "damaged /DSS: a warning says so"
verify_json "$T/bt.pdf" --trust "$PKI/trust.pem"
expect_rc 0 "online with the services down: B-T"
assert_json "$T/report.json" '.signatures[0].revocation' unknown \
    "services down: revocation unknown"
assert_json "$T/report.json" '.signatures[0].warnings | map(test("revocation:")) | any' \
    true "services down: a warning names the failed fetches"
if unshare -n true 2>/dev/null; then
    run unshare -n "$ESEAL" verify --offline --json --trust "$PKI/trust.pem" \
        "$T/blta.pdf"
    cp "$T/.stdout" "$T/report.json"
    expect_rc 0 "no network at all (unshare -n): B-LTA"
    assert_json "$T/report.json" '.signatures[0].level' B-LTA \
        "no network: B-LTA"
else
    say "note: unshare -n is not permitted here; stopped services only"
fi
done_ok
