#!/bin/bash
# What goes wrong with timestamp authorities, OCSP responders and CRLs:
# each failure gets a clear message, exit status 2 and no output.  Also:
# several authorities tried in order, basic authentication from a file,
# the OCSP responder down with a CRL to fall back on, a revoked
# certificate refused at sealing time, and a batch that fetches each
# response once (the cache).
. "$(dirname "$0")/lib.sh" || exit 1
start_pki
start_ocsp
start_tsa OK
set_keys
PDF=$SOURCE_ROOT/samples/demo/invoice.pdf
XML=$SOURCE_ROOT/samples/xml/invoice-ubl.xml
assert_file "$PDF" "sample invoice"
assert_file "$XML" "sample XML invoice"

# ---------------------------------------------------------------------------
say "timestamp authority failures"
DOWN=http://127.0.0.1:$(free_port)/
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$DOWN" -o "$T/o1.pdf" "$PDF"
expect_fail "TSA down" "refused" "$T/o1.pdf"
expect_rc 2 "TSA down"
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$DOWN" -o "$T/o1.xml" "$XML"
expect_fail "TSA down (XML)" "refused" "$T/o1.xml"

start_tsa GARBAGE --mode garbage
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$TSA_GARBAGE" \
    -o "$T/o2.pdf" "$PDF"
expect_fail "TSA answers garbage" "not an RFC 3161 timestamp response" \
    "$T/o2.pdf"

start_tsa WRONG --mode wrong-imprint
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$TSA_WRONG" \
    -o "$T/o3.pdf" "$PDF"
expect_fail "TSA stamps other data" "wrong message imprint" "$T/o3.pdf"
run "$ESEAL" seal "${EC[@]}" --level B-LTA --tsa "$TSA_WRONG" \
    -o "$T/o3.xml" "$XML"
expect_fail "TSA stamps other data (XML)" "wrong message imprint" \
    "$T/o3.xml"

start_tsa NONCE --mode wrong-nonce
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$TSA_NONCE" \
    -o "$T/o4.pdf" "$PDF"
expect_fail "TSA answers with another nonce" "nonce" "$T/o4.pdf"

start_tsa REJECT --mode reject
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$TSA_REJECT" \
    -o "$T/o5.pdf" "$PDF"
expect_fail "TSA rejects" "refused the request (rejection)" "$T/o5.pdf"

start_tsa NOCERT --mode no-certs
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$TSA_NOCERT" \
    -o "$T/o6.pdf" "$PDF"
expect_fail "TSA leaves its certificate out" "certificate" "$T/o6.pdf"

start_tsa SKEW --skew 3600
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$TSA_SKEW" \
    -o "$T/o7.pdf" "$PDF"
expect_fail "the local clock an hour off" "local clock is 3600 s behind" \
    "$T/o7.pdf"

run "$ESEAL" seal "${RSA[@]}" --level B-T -o "$T/o9.pdf" "$PDF"
expect_fail "B-T without a TSA" "needs a timestamp authority" "$T/o9.pdf"
expect_rc 2 "B-T without a TSA"

say "several authorities: tried in order"
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$DOWN" \
    --tsa "$TSA_GARBAGE" --tsa "$TSA_OK" -o "$T/several.pdf" "$PDF"
expect_rc 0 "the third authority answers"
verify_json "$T/several.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures[0].level' B-T "B-T from the third"
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$DOWN" \
    --tsa "$TSA_GARBAGE" -o "$T/none.pdf" "$PDF"
expect_fail "no authority answers" "no timestamp from 2 authorities" \
    "$T/none.pdf"

say "basic authentication from a file"
start_tsa AUTH --auth demo-user:demo-secret
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$TSA_AUTH" \
    -o "$T/a1.pdf" "$PDF"
expect_fail "no credentials" "401" "$T/a1.pdf"
printf 'demo-user:demo-secret\n' >"$T/tsa-auth"
chmod 644 "$T/tsa-auth"
run "$ESEAL" extend --level B-LTA --tsa "$TSA_AUTH" \
    --tsa-auth-file "$T/tsa-auth" -o "$T/a2.pdf" "$T/several.pdf"
expect_fail "credentials readable by others" "group or others" "$T/a2.pdf"
chmod 600 "$T/tsa-auth"
run "$ESEAL" extend --level B-LTA --tsa "$TSA_AUTH" \
    --tsa-auth-file "$T/tsa-auth" -o "$T/a3.pdf" "$T/several.pdf"
expect_rc 0 "credentials from the file"
grep -q 'Authorization' "$T/a3.pdf" && fail "credentials in the document"
run "$ESEAL" seal "${RSA[@]}" --level B-T --tsa "$TSA_AUTH" \
    --tsa-auth-file "$T/tsa-auth" -o "$T/a5.pdf" "$PDF"
expect_rc 0 "eseal seal --tsa-auth-file"
printf 'demo-user:wrong\n' >"$T/tsa-auth"
run "$ESEAL" extend --level B-LTA --tsa "$TSA_AUTH" \
    --tsa-auth-file "$T/tsa-auth" -o "$T/a4.pdf" "$T/several.pdf"
expect_fail "wrong credentials" "401" "$T/a4.pdf"
grep -q 'wrong' "$T/.stderr" && fail "the password shows in the message"
ok "the password is not in the message"

# ---------------------------------------------------------------------------
say "revocation"
run "$ESEAL" seal --key "$PKI/revoked.key" --cert "$PKI/revoked.pem" \
    --chain "$PKI/chain.pem" --level B-LT --tsa "$TSA_OK" \
    -o "$T/r1.pdf" "$PDF"
expect_fail "OCSP says revoked: no B-LT seal" "revoked" "$T/r1.pdf"
expect_rc 2 "revoked certificate"
run "$ESEAL" seal --key "$PKI/revoked.key" --cert "$PKI/revoked.pem" \
    --chain "$PKI/chain.pem" --level B-LT --tsa "$TSA_OK" \
    -o "$T/r1.xml" "$XML"
expect_fail "OCSP says revoked: no B-LT XML seal" "revoked" "$T/r1.xml"
# B-B does not ask; verification does
seal "$PDF" "$T/r2.pdf" --key "$PKI/revoked.key" --cert "$PKI/revoked.pem" \
    --chain "$PKI/chain.pem"
verify_json "$T/r2.pdf" --trust "$PKI/trust.pem"
expect_rc 1 "verify: a seal of a revoked certificate"
assert_json "$T/report.json" '.signatures[0].revocation' revoked \
    "verify: revocation revoked (OCSP)"

# listed_leaf DIR CN SERIAL EXT...: issue_leaf with the demo OCSP
# responder in its AIA, and a line for it in the responder's index, valid
listed_leaf() {
    local dir=$1 cn=$2 serial=$3 end
    shift 3
    issue_leaf "$dir" "/CN=$cn" "$serial" 30 'basicConstraints = CA:FALSE' \
        "$@" "authorityInfoAccess = OCSP;URI:http://127.0.0.1:$HTTP_PORT/ocsp"
    end=$(date -u -d "$(openssl x509 -in "$dir/cert.pem" -noout -enddate |
        cut -d= -f2)" +%y%m%d%H%M%SZ)
    # a new file, not an append: the responder rereads its index when the
    # file is replaced
    { cat "$PKI/index.txt"
      printf 'V\t%s\t\t%s\tunknown\t/CN=%s\n' "$end" "$serial" "$cn"
    } >"$PKI/index.txt.new" && mv "$PKI/index.txt.new" "$PKI/index.txt"
}
# revoke_leaf SERIAL: marks it revoked now in the responder's index
revoke_leaf() {
    local now
    now=$(date -u +%y%m%d%H%M%SZ)
    sed -i "s/^V\t\([0-9]*Z\)\t\t$1\t/R\t\1\t$now\t$1\t/" "$PKI/index.txt"
}
# ocsp_says STATUS CERT: the responder says STATUS for CERT
ocsp_says() {
    local i
    for i in $(seq 50); do
        openssl ocsp -issuer "$PKI/issuing-ca.pem" -cert "$2" \
            -url "http://127.0.0.1:$(cat "$T/ocsp.port")" -noverify \
            2>/dev/null | grep ": $1\$" >/dev/null && return 0
        sleep 0.2
    done
    fail "the OCSP responder does not say $1 for $2"
}

say "revoked after sealing: seals with an earlier time stay valid"
listed_leaf "$T/late" "DEMO revoked later" 1A7E \
    'keyUsage = critical,digitalSignature,nonRepudiation'
ocsp_says good "$T/late/cert.pem"
LATE=(--key "$T/late/key.pem" --cert "$T/late/cert.pem"
    --chain "$PKI/chain.pem")
seal "$PDF" "$T/late-lt.pdf" "${LATE[@]}" --level B-LT --tsa "$TSA_OK"
seal "$PDF" "$T/late-t.pdf" "${LATE[@]}" --level B-T --tsa "$TSA_OK"
seal "$PDF" "$T/late-b.pdf" "${LATE[@]}"
sleep 2
revoke_leaf 1A7E
ocsp_says revoked "$T/late/cert.pem"
verify_json "$T/late-t.pdf" --trust "$PKI/trust.pem"
expect_rc 0 "B-T seal made before the revocation (OCSP now says revoked)"
assert_json "$T/report.json" '.signatures[0].revocation' good \
    "good at the timestamp's time"
assert_json "$T/report.json" \
    '.signatures[0].warnings | map(test("revoked on .*after the seal")) | any' \
    true "a warning gives the later revocation"
verify_json "$T/late-b.pdf" --trust "$PKI/trust.pem"
expect_rc 1 "B-B seal of the certificate revoked since (its time is now)"
assert_json "$T/report.json" '.signatures[0].revocation' revoked \
    "B-B: revoked"
verify_json "$T/late-lt.pdf" --offline --trust "$PKI/trust.pem"
expect_rc 0 "B-LT seal made before the revocation, offline"
run "$ESEAL" extend --level B-LTA --tsa "$TSA_OK" -o "$T/late-ext.pdf" \
    "$T/late-b.pdf"
expect_fail "extending the B-B seal of a revoked certificate" "revoked" \
    "$T/late-ext.pdf"
expect_rc 1 "a document whose seal is revoked is refused (exit 1)"

say "a timestamp authority revoked since"
# a second authority stamps a B-T seal, then the demo CA revokes its
# certificate; the sealed document raised to B-LTA (a document timestamp
# by another authority) before the revocation, and to B-LT after it
listed_leaf "$T/tsa2" "DEMO TSA revoked later" 75A2 \
    'keyUsage = critical,digitalSignature' \
    'extendedKeyUsage = critical,timeStamping'
start_tsa REV --cert "$T/tsa2/cert.pem" --key "$T/tsa2/key.pem"
ocsp_says good "$T/tsa2/cert.pem"
seal "$PDF" "$T/tsa2-t.pdf" "${RSA[@]}" --level B-T --tsa "$TSA_REV"
run "$ESEAL" extend --level B-LTA --tsa "$TSA_OK" -o "$T/tsa2-lta.pdf" \
    "$T/tsa2-t.pdf"
expect_rc 0 "B-LTA over a timestamp of the second authority"
sleep 2
revoke_leaf 75A2
ocsp_says revoked "$T/tsa2/cert.pem"
run "$ESEAL" extend --level B-LT -o "$T/tsa2-lt.pdf" "$T/tsa2-t.pdf"
expect_rc 0 "B-LT after the revocation (the DSS holds the news)"
verify_json "$T/tsa2-lt.pdf" --offline --trust "$PKI/trust.pem"
expect_rc 1 "a timestamp of a revoked authority proves no time"
assert_json "$T/report.json" \
    '.signatures[0].errors | map(test("signature timestamp: the authority.s certificate was revoked on")) | any' \
    true "the error names the revocation"
assert_json "$T/report.json" '.signatures[0].level' B-B \
    "no valid timestamp: B-B"
verify_json "$T/tsa2-lta.pdf" --offline --trust "$PKI/trust.pem"
expect_rc 0 "protected by a document timestamp before the revocation"
assert_json "$T/report.json" '.signatures[0].level' B-LTA \
    "the earlier B-LTA document stays B-LTA"

say "the OCSP responder down, a CRL to fall back on"
stop "$OCSP_PID"
seal "$PDF" "$T/crl.pdf" "${RSA[@]}" --level B-LT --tsa "$TSA_OK"
mkdir -p "$T/dss-crl"
read -r n_certs n_ocsps n_crls <<<"$(python3 "$PARTS" dss "$T/crl.pdf" \
    "$T/dss-crl")"
[ "$n_ocsps" -eq 0 ] && [ "$n_crls" -eq 2 ] ||
    fail "DSS with the responder down: $n_ocsps OCSP, $n_crls CRLs"
ok "DSS: no OCSP response, the issuing and root CAs' CRLs"
for f in "$T"/dss-crl/crl-*.der; do
    openssl crl -inform DER -in "$f" -noout -CAfile "$PKI/chain.pem" 2>&1 |
        grep -q 'verify OK' ||
        fail "openssl crl cannot verify $(basename "$f")"
done
ok "openssl crl verifies both CRLs"
verify_json "$T/crl.pdf" --offline --trust "$PKI/trust.pem"
expect_rc 0 "offline verification on CRLs"
assert_json "$T/report.json" '.signatures[0].level' B-LT "B-LT on CRLs"
run "$ESEAL" seal --key "$PKI/revoked.key" --cert "$PKI/revoked.pem" \
    --chain "$PKI/chain.pem" --level B-LT --tsa "$TSA_OK" \
    -o "$T/r3.pdf" "$PDF"
expect_fail "the CRL says revoked" "revoked" "$T/r3.pdf"
touch "$PKI/down-crl"
run "$ESEAL" seal "${RSA[@]}" --level B-LT --tsa "$TSA_OK" \
    -o "$T/nothing.pdf" "$PDF"
expect_fail "OCSP and CRLs down" "no revocation data" "$T/nothing.pdf"
rm -f "$PKI/down-crl"

# ---------------------------------------------------------------------------
say "a batch fetches each response once (4 threads, 6 documents)"
start_ocsp
mkdir -p "$T/batch"
for i in 1 2 3 4 5 6; do cp "$PDF" "$T/in-$i.pdf"; done
: >"$HTTP_LOG"
run "$ESEAL" seal "${RSA[@]}" --level B-LT --tsa "$TSA_OK" --jobs 4 \
    --out-dir "$T/batch" "$T"/in-[1-6].pdf
expect_rc 0 "six B-LT seals in one process"
n=$(count_log 'POST /ocsp')
[ "$n" -eq 2 ] || fail "the batch made $n OCSP requests, expected 2 " \
    "(the seal's and the TSA's certificates, each once): $(cat "$HTTP_LOG")"
ok "2 OCSP requests for 6 documents (cached until nextUpdate; threads wait for a fetch in flight)"
n=$(count_log 'GET /root-ca.crl.der')
[ "$n" -eq 1 ] || fail "the batch fetched the root CRL $n times"
ok "1 CRL fetch for 6 documents"
for i in 1 2 3 4 5 6; do
    verify_json "$T/batch/in-$i.pdf" --offline --trust "$PKI/trust.pem"
    assert_json "$T/report.json" '.signatures[0].level' B-LT \
        "batch document $i: B-LT"
done
done_ok
