#!/bin/bash
# The HTTP client: a TSA over HTTPS (server checked against the trust
# store, by name or address), an HTTP proxy from the environment for
# http:// and (CONNECT) https:// URLs, loopback hosts never proxied, and a
# silent server that must not hang a seal (timeouts).
. "$(dirname "$0")/lib.sh" || exit 1
start_pki
start_ocsp
start_tsa A
set_keys
PDF=$SOURCE_ROOT/samples/demo/invoice.pdf
TSA_PORT=$(cat "$T/tsa-A.port")

# a TLS server certificate from the demo issuing CA
mkdir -p "$T/tls"
printf '%s\n' 'basicConstraints = CA:FALSE' \
    'keyUsage = critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage = serverAuth' \
    'subjectAltName = DNS:tsa.example,IP:127.0.0.1' >"$T/tls/ext.cnf"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/tls/key.pem" 2>/dev/null || fail "genpkey"
must openssl req -new -key "$T/tls/key.pem" -subj "/CN=tsa.example" \
    -out "$T/tls/req.pem"
must openssl x509 -req -in "$T/tls/req.pem" -CA "$PKI/issuing-ca.pem" \
    -CAkey "$PKI/issuing-ca.key" -set_serial 0x7151 -days 30 \
    -extfile "$T/tls/ext.cnf" -out "$T/tls/cert.pem"
cat "$T/tls/cert.pem" "$PKI/issuing-ca.pem" >"$T/tls/chain.pem"
python3 "$TESTS_DIR/netproxy.py" tls --port-file "$T/https.port" \
    --cert "$T/tls/chain.pem" --key "$T/tls/key.pem" --to "$TSA_PORT" \
    >"$T/https.log" 2>&1 &
SERVICE_PIDS+=($!)
wait_file "$T/https.port" "the HTTPS front"
HTTPS_PORT=$(cat "$T/https.port")
python3 "$TESTS_DIR/netproxy.py" proxy --port-file "$T/proxy.port" \
    --log "$T/proxy.log" >"$T/proxy.out" 2>&1 &
SERVICE_PIDS+=($!)
wait_file "$T/proxy.port" "the HTTP proxy"
PROXY=http://127.0.0.1:$(cat "$T/proxy.port")
: >"$T/proxy.log"

say "HTTPS"
run env SSL_CERT_FILE="$PKI/trust.pem" "$ESEAL" seal "${RSA[@]}" \
    --level B-T --tsa "https://127.0.0.1:$HTTPS_PORT/" -o "$T/https.pdf" "$PDF"
expect_rc 0 "B-T from a TSA over HTTPS (address in the certificate)"
verify_json "$T/https.pdf" --trust "$PKI/trust.pem"
assert_json "$T/report.json" '.signatures[0].level' B-T "HTTPS: B-T"
run env SSL_CERT_FILE=/dev/null SSL_CERT_DIR=/nonexistent "$ESEAL" seal \
    "${RSA[@]}" --level B-T --tsa "https://127.0.0.1:$HTTPS_PORT/" \
    -o "$T/https-untrusted.pdf" "$PDF"
expect_fail "a TLS server the trust store does not know" "certificate" \
    "$T/https-untrusted.pdf"
run env SSL_CERT_FILE="$PKI/trust.pem" "$ESEAL" seal "${RSA[@]}" \
    --level B-T --tsa "https://localhost:$HTTPS_PORT/" \
    -o "$T/https-name.pdf" "$PDF"
expect_fail "a TLS server certificate for another name" "certificate" \
    "$T/https-name.pdf"

say "an HTTP proxy from the environment"
run env http_proxy="$PROXY" "$ESEAL" seal "${RSA[@]}" --level B-T \
    --tsa "http://tsa.example:$TSA_PORT/" -o "$T/proxied.pdf" "$PDF"
expect_rc 0 "http:// through the proxy"
grep -q "^POST http://tsa.example:$TSA_PORT/" "$T/proxy.log" ||
    fail "the proxy did not see the request: $(cat "$T/proxy.log")"
ok "the proxy forwarded the timestamp request"
run env https_proxy="$PROXY" SSL_CERT_FILE="$PKI/trust.pem" "$ESEAL" seal \
    "${RSA[@]}" --level B-T --tsa "https://tsa.example:$HTTPS_PORT/" \
    -o "$T/tunnel.pdf" "$PDF"
expect_rc 0 "https:// through the proxy (CONNECT)"
grep -q "^CONNECT tsa.example:$HTTPS_PORT" "$T/proxy.log" ||
    fail "no CONNECT in the proxy's log: $(cat "$T/proxy.log")"
ok "CONNECT tunnel, TLS checked against tsa.example"
run env http_proxy=http://127.0.0.1:$(free_port) "$ESEAL" seal "${RSA[@]}" \
    --level B-T --tsa "$TSA_A" -o "$T/loopback.pdf" "$PDF"
expect_rc 0 "loopback hosts are reached directly, never through a proxy"

say "a server that never answers"
python3 - "$T/silent.port" <<'EOF' &
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)      # accepted, never answered
EOF
SERVICE_PIDS+=($!)
wait_file "$T/silent.port" "the silent server"
seal "$PDF" "$T/bb.pdf" "${RSA[@]}"
start=$(date +%s)
run "$ESEAL" extend --level B-LTA --timeout 2 \
    --tsa "http://127.0.0.1:$(cat "$T/silent.port")/" -o "$T/silent.pdf" \
    "$T/bb.pdf"
took=$(( $(date +%s) - start ))
expect_fail "a silent TSA" "timed out\|timeout" "$T/silent.pdf"
# two attempts of 2 s each, with a pause: never the default 10 s
[ "$took" -lt 30 ] || fail "a silent TSA held the seal for $took s"
ok "gave up after $took s (2 attempts, --timeout 2)"
done_ok
