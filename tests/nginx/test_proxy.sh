#!/bin/bash
# Proxied responses: a Python application server (HTTP/1.1 and FastCGI) and
# a second nginx server block as upstreams; Content-Length and chunked
# bodies are sealed, over HTTP/1.1 and HTTP/2; upstream failures (down,
# 500, a body cut short, a compressed body, a partial 206 answer, an
# oversize chunked body) answer without a byte of the document.
. "$(dirname "$0")/lib.sh"

make_pki
make_docs
P=$(free_port)
H2=$(free_port)
BACK=$(free_port)
APP=$(free_port)
FCGI=$(free_port)
DOWN=$(free_port)
URL=http://127.0.0.1:$P
AUDIT=$NGX_PREFIX/logs/audit.log
ERRLOG=$NGX_PREFIX/logs/error.log

python3 "$TESTS_DIR/upstream.py" "$APP" "$FCGI" "$WWW" >"$T/upstream.log" \
    2>&1 &
APP_PID=$!
trap 'kill "$APP_PID" 2>/dev/null; ngx_stop_quietly' EXIT
for _ in $(seq 1 100); do
    grep -q ready "$T/upstream.log" 2>/dev/null && break
    sleep 0.1
done
grep -q ready "$T/upstream.log" || fail "upstream.py did not start"

ngx_conf proxy <<EOF
    gzip on;
    gzip_types application/pdf application/xml;
    gzip_min_length 0;
    eseal_key $KEYS/eseal-rsa.key;
    eseal_certificate $KEYS/eseal-rsa.pem;
    eseal_chain $KEYS/chain.pem;
    eseal_thread_pool eseal;
    eseal_audit_log logs/audit.log;
    server {
        listen 127.0.0.1:$BACK;
        root $WWW;
    }
    server {
        listen 127.0.0.1:$P;
        listen 127.0.0.1:$H2 http2;
        location /back/ {
            eseal on;
            proxy_pass http://127.0.0.1:$BACK/;
        }
        location /app/ {
            eseal on;
            proxy_pass http://127.0.0.1:$APP/;
            proxy_http_version 1.1;
        }
        location /fixed/ {
            eseal on;
            proxy_pass http://127.0.0.1:$APP/;
            proxy_http_version 1.1;
            proxy_set_header Accept-Encoding "";
            proxy_set_header Range "";
        }
        location /nobuf/ {
            eseal on;
            proxy_pass http://127.0.0.1:$APP/;
            proxy_http_version 1.1;
            proxy_buffering off;
        }
        location /smallmax/ {
            eseal on;
            eseal_max_size 8k;
            proxy_pass http://127.0.0.1:$APP/;
            proxy_http_version 1.1;
        }
        location /down/ {
            eseal on;
            proxy_pass http://127.0.0.1:$DOWN/;
        }
        location /fcgi/ {
            eseal on;
            fastcgi_pass 127.0.0.1:$FCGI;
            fastcgi_param SCRIPT_NAME \$uri;
        }
    }
EOF
ngx_start proxy "$P" "$H2" "$BACK"

say "a second server block as the upstream"
get back "$URL/back/invoice.pdf"
expect_status 200 "GET /back/invoice.pdf"
verify_pdf back "proxied PDF"
sealed_headers back "proxied PDF"
get backx "$URL/back/invoice.xml"
verify_xml backx "proxied XML"
sealed_headers backx "proxied XML"
line=$(tail -n 1 "$AUDIT")
[ "$(jq -r .input <<<"$line")" = \
    "upstream 127.0.0.1:$BACK /back/invoice.xml" ] ||
    fail "audit input of a proxied response: $line"
ok "the audit line names the upstream: $(jq -r .input <<<"$line")"

say "an application server: Content-Length and chunked bodies"
for mode in cl chunked; do
    get "app-$mode" "$URL/app/$mode/invoice.pdf"
    expect_status 200 "GET /app/$mode/invoice.pdf"
    verify_pdf "app-$mode" "PDF with $mode upstream body"
    sealed_headers "app-$mode" "PDF with $mode upstream body"
    get "appx-$mode" "$URL/app/$mode/invoice.xml"
    verify_xml "appx-$mode" "XML with $mode upstream body"
    get "nobuf-$mode" "$URL/nobuf/$mode/invoice.pdf"
    verify_pdf "nobuf-$mode" "PDF, $mode, proxy_buffering off"
done
[ -n "$(header app-cl ETag)" ] && case $(header app-cl ETag) in
    W/*) ;; *) fail "the upstream's ETag is not weakened" ;; esac
ok "the upstream's ETag is weakened"

say "FastCGI"
get fcgi "$URL/fcgi/invoice.pdf"
expect_status 200 "GET /fcgi/invoice.pdf"
verify_pdf fcgi "PDF from FastCGI"
sealed_headers fcgi "PDF from FastCGI"
get fcgix "$URL/fcgi/invoice.xml"
verify_xml fcgix "XML from FastCGI"

say "HTTP/2 (h2c) to a proxied location"
get h2 "http://127.0.0.1:$H2/app/chunked/invoice.pdf" --http2-prior-knowledge
expect_status 200 "HTTP/2 GET /app/chunked/invoice.pdf"
verify_pdf h2 "proxied PDF over HTTP/2"
sealed_headers h2 "proxied PDF over HTTP/2"

say "HEAD through the proxy"
get head "$URL/app/cl/invoice.pdf" -I
expect_status 200 "HEAD /app/cl/invoice.pdf"
[ -z "$(header head Content-Length)" ] || fail "HEAD: Content-Length"
[ -z "$(header head Accept-Ranges)" ] || fail "HEAD: Accept-Ranges"
ok "HEAD: no Content-Length, no Accept-Ranges"

say "compressed upstream bodies cannot be sealed"
: >"$ERRLOG"
get gz "$URL/app/gzip/invoice.pdf" -H 'Accept-Encoding: gzip'
expect_status 502 "the upstream sent Content-Encoding: gzip"
no_document gz "compressed upstream"
[ "$(count 'eseal: the response is compressed' "$ERRLOG")" = 1 ] ||
    fail "not one error line: $(cat "$ERRLOG")"
ok "one error line names the fix: $(grep -o 'proxy_set_header Accept[^)]*' \
    "$ERRLOG")"
get gzfix "$URL/fixed/gzip/invoice.pdf" -H 'Accept-Encoding: gzip'
expect_status 200 "with proxy_set_header Accept-Encoding \"\""
[ "$(header gzfix Content-Encoding)" = gzip ] ||
    fail "nginx did not gzip the sealed body"
gzip -dc <"$T/gzfix.body" >"$T/gzfix2.body"
verify_pdf gzfix2 "sealed, then gzipped by nginx"

say "Range sent to the upstream"
: >"$ERRLOG"
get range "$URL/app/range/invoice.pdf" -H 'Range: bytes=0-99'
expect_status 502 "the upstream answered 206"
no_document range "206 from the upstream"
[ "$(count 'eseal: the response has status 206' "$ERRLOG")" = 1 ] ||
    fail "not one error line: $(cat "$ERRLOG")"
ok "one error line"
get rangefix "$URL/fixed/range/invoice.pdf" -H 'Range: bytes=0-99'
expect_status 200 "with proxy_set_header Range \"\""
verify_pdf rangefix "the whole document despite Range"
sealed_headers rangefix "the whole document despite Range"

say "upstream failures"
: >"$ERRLOG"
get short "$URL/app/short/invoice.pdf"
case $STATUS in 502 | 000) ;; *) fail "a body cut short: status $STATUS" ;; esac
no_document short "a body cut short ($STATUS)"
get cut "$URL/app/cutchunk/invoice.pdf"
case $STATUS in 502 | 000) ;; *) fail "a chunk cut: status $STATUS" ;; esac
no_document cut "a chunked body cut short ($STATUS)"
get cut2 "$URL/nobuf/cutchunk/invoice.pdf"
case $STATUS in 502 | 000) ;; *) fail "cut, unbuffered: status $STATUS" ;; esac
no_document cut2 "a chunked body cut short, proxy_buffering off ($STATUS)"
[ "$(count 'eseal: the upstream response ended' "$ERRLOG")" -ge 2 ] ||
    fail "cut bodies are not logged: $(cat "$ERRLOG")"
ok "logged: $(grep -a -m1 'eseal: the upstream' "$ERRLOG" |
    sed 's/^.*eseal: //' | cut -c1-70)"
get err "$URL/app/error/invoice.pdf"
expect_status 500 "the upstream answered 500"
no_document err "upstream 500"
get down "$URL/down/invoice.pdf"
expect_status 502 "the upstream is down"
no_document down "upstream down"
get big "$URL/smallmax/chunked/invoice.pdf"
expect_status 500 "a chunked body over eseal_max_size"
no_document big "oversize chunked body"
get big2 "http://127.0.0.1:$H2/smallmax/cl/invoice.pdf" --http2-prior-knowledge
expect_status 500 "oversize over HTTP/2"
no_document big2 "oversize over HTTP/2"

say "still sealing after the failures"
get after "$URL/app/chunked/invoice.pdf"
verify_pdf after "a proxied PDF after the failures"
assert_no_grep 'exited on signal|\[alert\]|\[crit\]' "$ERRLOG" \
    "no crash or alert in the error log"

done_ok
