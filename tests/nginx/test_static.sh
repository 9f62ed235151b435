#!/bin/bash
# Static files: PDFs and XML sealed on the way out over HTTP/1.1 and HTTP/2
# (h2c), with correct headers; HEAD, Range, gzip; other types untouched;
# oversize and unsealable documents answer 5xx without a byte of the
# document; one error line per failure and one audit line per sealed
# response.  (A full thread queue is in test_workers.sh.)
. "$(dirname "$0")/lib.sh"

make_pki
make_docs
P=$(free_port)
H2=$(free_port)
URL=http://127.0.0.1:$P
AUDIT=$NGX_PREFIX/logs/audit.log
ERRLOG=$NGX_PREFIX/logs/error.log

cat >"$T/eseal.conf" <<EOF
[profile receipts]
key = $KEYS/eseal-ec.key
certificate = $KEYS/eseal-ec.pem
chain = $KEYS/chain.pem
placement = enveloped
EOF

ngx_conf static <<EOF
    gzip on;
    gzip_types application/pdf application/xml;
    gzip_min_length 0;
    server {
        listen 127.0.0.1:$P;
        listen 127.0.0.1:$H2 http2;
        root $WWW;
        eseal_key $KEYS/eseal-rsa.key;
        eseal_certificate $KEYS/eseal-rsa.pem;
        eseal_chain $KEYS/chain.pem;
        eseal_thread_pool eseal;
        eseal_audit_log logs/audit.log;
        location / {
            eseal on;
        }
        location /small/ {
            alias $WWW/;
            eseal on;
            eseal_max_size 10k;
        }
        location /plain/ {
            alias $WWW/;
        }
        location /profile/ {
            alias $WWW/;
            eseal on;
            eseal_config $T/eseal.conf;
            eseal_profile receipts;
        }
        location /nosync/ {
            alias $WWW/;
            eseal on;
            eseal_audit_log logs/audit-nosync.log sync=off;
        }
        location /ubl/ {
            alias $WWW/;
            eseal on;
            eseal_placement ubl;
        }
    }
EOF
ngx_start static "$P" "$H2"

say "sealed PDF and XML over HTTP/1.1"
get pdf "$URL/invoice.pdf"
expect_status 200 "GET /invoice.pdf"
verify_pdf pdf "/invoice.pdf" "$SERIAL_RSA"
sealed_headers pdf "/invoice.pdf"
[ "$(header pdf Content-Type)" = application/pdf ] || fail "Content-Type"
ok "Content-Type application/pdf"
cmp -s "$WWW/invoice.pdf" <(head -c "$(stat -c %s "$WWW/invoice.pdf")" \
    "$T/pdf.body") || fail "the sealed PDF does not start with the original"
ok "the seal is an incremental update of the served file"

get xml "$URL/invoice.xml"
expect_status 200 "GET /invoice.xml"
verify_xml xml "/invoice.xml"
sealed_headers xml "/invoice.xml"

get generic "$URL/generic.xml"
verify_xml generic "/generic.xml"

say "a profile of eseal.conf, and the XML placement"
get prof "$URL/profile/invoice.pdf"
verify_pdf prof "sealed with the profile's key" "$SERIAL_EC"
get profx "$URL/profile/invoice.xml"
verify_xml profx "XML sealed with the profile (placement enveloped)"
grep -q 'UBLExtensions' "$T/profx.body" &&
    fail "the profile's placement enveloped was not used"
ok "the profile's placement: enveloped (no UBLExtensions)"
grep -qE '\[warn\].*eseal: the UBL schema has no place .*\[xml-schema-no-signature\]' \
    "$ERRLOG" || fail "no warning in the error log for UBL sealed enveloped"
ok "the library's warning (UBL sealed enveloped) is in nginx's error log"
get ublx "$URL/ubl/invoice.xml"
verify_xml ublx "XML sealed with eseal_placement ubl"
grep -q 'UBLExtensions' "$T/ublx.body" ||
    fail "eseal_placement ubl: no UBLExtensions in the output"
ok "eseal_placement ubl: the signature is in the UBL extensions"
: >"$AUDIT"

say "the audit log: one line per sealed response"
get pdf "$URL/invoice.pdf"
get xml "$URL/invoice.xml"
get generic "$URL/generic.xml"
[ "$(wc -l <"$AUDIT")" -eq 3 ] || fail "audit lines: $(cat "$AUDIT")"
ok "three audit lines"
sha=$(sha256sum "$T/pdf.body" | cut -d' ' -f1)
line=$(grep -a '"output":"http://127.0.0.1:'"$P"'/invoice.pdf"' "$AUDIT")
[ -n "$line" ] || fail "no audit line for /invoice.pdf: $(cat "$AUDIT")"
[ "$(jq -r .output_sha256 <<<"$line")" = "$sha" ] ||
    fail "the audit line's output_sha256 is not the SHA-256 of the body"
[ "$(jq -r .input <<<"$line")" = "$WWW/invoice.pdf" ] ||
    fail "the audit line's input is not the file: $line"
[ "$(jq -r .input_sha256 <<<"$line")" = \
    "$(sha256sum "$WWW/invoice.pdf" | cut -d' ' -f1)" ] ||
    fail "the audit line's input_sha256"
[ "$(jq -r .result <<<"$line")" = sealed ] || fail "result: $line"
[ "$(jq -r .certificate.serial <<<"$line")" = "$SERIAL_RSA" ] ||
    fail "certificate serial: $line"
ok "time, input file, output URL, SHA-256 of what was sent, certificate"

get nosync "$URL/nosync/invoice.pdf"
verify_pdf nosync "a location whose audit log is not flushed per line"
[ "$(wc -l <"$NGX_PREFIX/logs/audit-nosync.log")" = 1 ] ||
    fail "no line in the sync=off audit log"
[ "$(jq -r .output_sha256 "$NGX_PREFIX/logs/audit-nosync.log")" = \
    "$(sha256sum "$T/nosync.body" | cut -d' ' -f1)" ] ||
    fail "the sync=off audit line"
ok "eseal_audit_log ... sync=off writes its line"

say "HTTP/2 (h2c)"
get h2 "http://127.0.0.1:$H2/invoice.pdf" --http2-prior-knowledge
expect_status 200 "GET /invoice.pdf over HTTP/2"
grep -q '^HTTP/2 200' "$T/h2.head" || fail "not an HTTP/2 response"
verify_pdf h2 "/invoice.pdf over HTTP/2"
sealed_headers h2 "/invoice.pdf over HTTP/2"
get h2x "http://127.0.0.1:$H2/invoice.xml" --http2-prior-knowledge
verify_xml h2x "/invoice.xml over HTTP/2"

say "HEAD: no sealing work, no length it cannot vouch for"
sealing=$(count 'eseal: sealing' "$ERRLOG")
audits=$(wc -l <"$AUDIT")
get head "$URL/invoice.pdf" -I
expect_status 200 "HEAD /invoice.pdf"
[ -z "$(header head Content-Length)" ] ||
    fail "HEAD sent Content-Length $(header head Content-Length)"
[ -z "$(header head Accept-Ranges)" ] || fail "HEAD sent Accept-Ranges"
case $(header head ETag) in "" | W/*) ;; *) fail "HEAD: strong ETag" ;; esac
ok "no Content-Length, no Accept-Ranges, weak ETag"
get head2 "http://127.0.0.1:$H2/invoice.pdf" -I --http2-prior-knowledge
expect_status 200 "HEAD over HTTP/2"
[ -z "$(header head2 Content-Length)" ] || fail "HTTP/2 HEAD: Content-Length"
[ "$(count 'eseal: sealing' "$ERRLOG")" = "$sealing" ] ||
    fail "HEAD started a seal"
[ "$(wc -l <"$AUDIT")" = "$audits" ] || fail "HEAD wrote an audit line"
ok "HEAD sealed nothing"

say "Range: the whole sealed document"
get range "$URL/invoice.pdf" -H 'Range: bytes=0-99'
expect_status 200 "GET with Range: bytes=0-99"
verify_pdf range "/invoice.pdf asked for a range"
sealed_headers range "/invoice.pdf asked for a range"
get range2 "$URL/invoice.pdf" -H 'Range: bytes=100-199,300-399'
expect_status 200 "GET with two ranges"
verify_pdf range2 "/invoice.pdf asked for two ranges"

say "conditional GET with the weak ETag"
etag=$(header pdf ETag)
get cond "$URL/invoice.pdf" -H "If-None-Match: $etag"
expect_status 304 "If-None-Match with the ETag served"

say "gzip of the sealed body"
get gz "$URL/invoice.pdf" -H 'Accept-Encoding: gzip'
expect_status 200 "GET with Accept-Encoding: gzip"
[ "$(header gz Content-Encoding)" = gzip ] || fail "not gzipped"
gzip -dc <"$T/gz.body" >"$T/gunzipped.body" || fail "gzip -d"
verify_pdf gunzipped "/invoice.pdf gzipped, then unpacked"
get gzx "$URL/invoice.xml" -H 'Accept-Encoding: gzip' --http2-prior-knowledge \
    --url "http://127.0.0.1:$H2/invoice.xml"
[ "$(header gzx Content-Encoding)" = gzip ] || fail "HTTP/2: not gzipped"
gzip -dc <"$T/gzx.body" >"$T/gunzippedx.body" || fail "gzip -d"
verify_xml gunzippedx "/invoice.xml gzipped over HTTP/2, then unpacked"

say "other types and locations without eseal are untouched"
get txt "$URL/note.txt"
cmp -s "$T/txt.body" "$WWW/note.txt" || fail "note.txt changed"
ok "text/plain passes as is"
get plain "$URL/plain/invoice.pdf"
cmp -s "$T/plain.body" "$WWW/invoice.pdf" || fail "/plain/ changed the PDF"
[ -n "$(header plain Accept-Ranges)" ] || fail "/plain/ lost Accept-Ranges"
ok "a location without eseal serves the file as is, with ranges"

say "failures answer 5xx and hold no document"
: >"$ERRLOG"
get over "$URL/small/invoice.pdf"
expect_status 500 "a PDF over eseal_max_size"
no_document over "oversize"
[ "$(count 'eseal: .*exceeds eseal_max_size' "$ERRLOG")" = 1 ] ||
    fail "oversize: not one error line: $(cat "$ERRLOG")"
ok "one error line: $(grep -a 'exceeds' "$ERRLOG" | sed 's/^.*eseal: //' |
    cut -c1-80)"
get over2 "http://127.0.0.1:$H2/small/invoice.pdf" --http2-prior-knowledge
expect_status 500 "oversize over HTTP/2"
no_document over2 "oversize over HTTP/2"
get small "$URL/small/small.pdf"
expect_status 200 "a PDF under eseal_max_size"
verify_pdf small "/small/small.pdf"

: >"$ERRLOG"
audits=$(wc -l <"$AUDIT")
get damaged "$URL/damaged.pdf"
expect_status 500 "a damaged PDF"
no_document damaged "damaged PDF"
[ "$(count 'eseal: cannot seal' "$ERRLOG")" = 1 ] ||
    fail "damaged: not one error line: $(cat "$ERRLOG")"
ok "one error line: $(grep -a 'cannot seal' "$ERRLOG" | sed 's/^.*eseal: //' |
    cut -c1-100)"
tail -n 1 "$AUDIT" | jq -e '.result == "failed" and .output == null' \
    >/dev/null || fail "the refused seal is not in the audit log as failed"
ok "the audit log records the refused seal"
get broken "$URL/broken.xml"
expect_status 500 "XML that is not well formed"
no_document broken "broken XML"

say "the worker goes on sealing after refusals"
get after "$URL/invoice.pdf"
verify_pdf after "a sealed PDF after the refused ones"

say "no worker crashed, no alert"
assert_no_grep 'exited on signal|\[alert\]|\[crit\]' "$ERRLOG" \
    "no crash or alert in the error log"

done_ok
