#!/bin/bash
# eseal extend on PDFs: a B-B seal raised to B-LT (a document timestamp
# gives it its time) and B-LTA, archive timestamps renewed, a signature
# made by another tool (podofosign, whose CMS holds no chain: the CA
# certificates come from the AIA URLs), in place and into a directory;
# refusals of documents that are unsealed, changed after sealing, or not
# for this level.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool pdfsig poppler-utils
need_tool podofosign libpodofo-utils
need_tool qpdf qpdf
start_pki
start_ocsp
start_tsa A
set_keys
PDF=$SOURCE_ROOT/samples/demo/invoice.pdf
assert_file "$PDF" "sample invoice"

say "B-B raised to B-LT: a document timestamp, then the DSS"
seal "$PDF" "$T/bb.pdf" "${RSA[@]}"
run "$ESEAL" extend --level B-LT --tsa "$TSA_A" -o "$T/lt.pdf" "$T/bb.pdf"
expect_rc 0 "extend --level B-LT"
is_prefix "$T/bb.pdf" "$T/lt.pdf" || fail "extend rewrote the sealed bytes"
ok "the sealed document is a prefix of the extended one"
verify_json "$T/lt.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "extended B-LT valid"
assert_json "$T/report.json" '.signatures[0].level' B-LT "level B-LT"
assert_json "$T/report.json" '.document_timestamps | length' 1 \
    "one document timestamp (the seal's time)"
assert_json "$T/report.json" '.signatures[0].timestamp_time == .document_timestamps[0].time' \
    true "the seal's time is the document timestamp's"
extract_sig "$T/lt.pdf" 2 "$T/lt-dts"
ts_verify "$T/lt-dts.der" "$T/lt-dts.bin" "the document timestamp"
mkdir -p "$T/dss"
read -r n_certs n_ocsps n_crls <<<"$(python3 "$PARTS" dss "$T/lt.pdf" \
    "$T/dss")"
[ "$n_ocsps" -ge 2 ] || fail "DSS: $n_ocsps OCSP responses"
ok "DSS: $n_certs certificates, $n_ocsps OCSP responses, $n_crls CRLs"
run pdfsig -nocert "$T/lt.pdf"
grep -q 'Signature is Valid' "$T/.stdout" || fail "pdfsig: seal not valid"
ok "pdfsig: the seal is valid"

say "B-LTA and two renewals"
run "$ESEAL" extend --level B-LTA --tsa "$TSA_A" -o "$T/lta.pdf" "$T/lt.pdf"
expect_rc 0 "extend --level B-LTA"
cp "$T/lta.pdf" "$T/renew.pdf"
for i in 1 2; do
    run "$ESEAL" extend --level B-LTA --tsa "$TSA_A" --in-place \
        "$T/renew.pdf"
    expect_rc 0 "renewal $i (in place)"
done
verify_json "$T/renew.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.valid' true "renewed: valid"
assert_json "$T/report.json" '.signatures[0].level' B-LTA "renewed: B-LTA"
assert_json "$T/report.json" '[.document_timestamps[].valid] | all' true \
    "renewed: every document timestamp valid"
assert_json "$T/report.json" '.document_timestamps | length' 4 \
    "renewed: four document timestamps"
n=$(sig_count "$T/renew.pdf")
extract_sig "$T/renew.pdf" "$n" "$T/last"
ts_verify "$T/last.der" "$T/last.bin" "the newest document timestamp"
qpdf_ok "$T/renew.pdf" || fail "qpdf --check renew.pdf"
ok "qpdf --check renew.pdf"

say "a signature made by podofosign"
run podofosign -in "$(sample classic)" -out "$T/podofo.pdf" \
    -cert "$PKI/eseal-rsa.pem" -pkey "$PKI/eseal-rsa.key" -digest SHA256
[ "$RC" -eq 0 ] || fail "podofosign"
# an authority whose tokens hold its own certificate only
"$TSA_SERVER" --port-file "$T/tsa-nc.port" --cert "$PKI/tsa.pem" \
    --key "$PKI/tsa.key" >/dev/null 2>&1 &
SERVICE_PIDS+=($!)
wait_file "$T/tsa-nc.port" "tsa_server without a chain"
: >"$HTTP_LOG"
run "$ESEAL" extend --level B-LTA \
    --tsa "http://127.0.0.1:$(cat "$T/tsa-nc.port")/" \
    -o "$T/podofo-lta.pdf" "$T/podofo.pdf"
expect_rc 0 "extend a podofosign signature"
[ "$(count_log 'GET /issuing-ca.cer')" -ge 1 ] &&
    [ "$(count_log 'GET /root-ca.cer')" -ge 1 ] ||
    fail "the CA certificates were not fetched from the AIA URLs: $(cat "$HTTP_LOG")"
ok "the missing CA certificates came from the AIA CA Issuers URLs"
verify_json "$T/podofo-lta.pdf" --offline --trust "$PKI/trust.pem"
expect_rc 0 "offline: the extended podofosign document"
assert_json "$T/report.json" '.signatures[0].kind' adbe "kind adbe"
assert_json "$T/report.json" '.signatures[0].chain_trusted' true \
    "chain from the DSS (the CMS has the leaf only)"
assert_json "$T/report.json" '.signatures[0].revocation' good \
    "revocation from the DSS"
assert_json "$T/report.json" '.signatures[0].timestamp_time != null' true \
    "time from the document timestamp"

say "several documents into a directory"
mkdir -p "$T/out"
cp "$T/bb.pdf" "$T/b2.pdf"
run "$ESEAL" extend --level B-LT --tsa "$TSA_A" --out-dir "$T/out" \
    "$T/bb.pdf" "$T/b2.pdf"
expect_rc 0 "two documents"
assert_file "$T/out/bb.pdf" "out/bb.pdf"
assert_file "$T/out/b2.pdf" "out/b2.pdf"

say "refusals"
run "$ESEAL" extend --level B-LT --tsa "$TSA_A" -o "$T/x1.pdf" "$PDF"
expect_fail "an unsealed document" "no seal" "$T/x1.pdf"
expect_rc 1 "an unsealed document"
cp "$T/bb.pdf" "$T/changed.pdf"
python3 - "$T/changed.pdf" <<'EOF'
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
i = d.index(b"/Producer")
d[i + 1] = ord("p")          # a signed byte changes
open(p, "wb").write(d)
EOF
run "$ESEAL" extend --level B-LT --tsa "$TSA_A" -o "$T/x2.pdf" \
    "$T/changed.pdf"
expect_fail "a document changed after sealing" "does not verify" "$T/x2.pdf"
expect_rc 1 "a changed document"
run "$ESEAL" extend --level B-LTA -o "$T/x3.pdf" "$T/bb.pdf"
expect_fail "B-LTA without a TSA" "timestamp authority" "$T/x3.pdf"
expect_rc 2 "B-LTA without a TSA"
run "$ESEAL" extend --level B-T --tsa "$TSA_A" -o "$T/x4.pdf" "$T/bb.pdf"
expect_fail "a PDF to B-T" "B-LT or B-LTA" "$T/x4.pdf"
run "$ESEAL" extend --level B-B -o "$T/x5.pdf" "$T/bb.pdf"
expect_fail "--level B-B" "B-LT or B-LTA" "$T/x5.pdf"
expect_rc 2 "--level B-B"
run "$ESEAL" extend --level B-LT -o "$T/bb.pdf" "$T/bb.pdf"
expect_rc 2 "-o naming the input"
done_ok
