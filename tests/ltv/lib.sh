# Shared helpers of eseal's LTV tests (bash): the CLI test helpers
# (tests/cli/lib.sh) plus the local services the levels need.
#
# Environment (meson sets it): ESEAL, SOURCE_ROOT, TEST_TMPDIR as for the
# CLI tests, and TSA_SERVER (tests/ltv/tsa_server, built with the tests).
#
# start_pki      pki_server.py on a free port, then a demo PKI whose
#                certificates point at it (PKI, HTTP_PORT, HTTP_LOG)
# start_ocsp     `openssl ocsp` on the demo CA's index (OCSP_PID)
# start_tsa NAME [ARGS]  a tsa_server (TSA_<NAME> is its URL)
# stop PID       ends one service this test started
# Every service is ended when the test exits.

. "$SOURCE_ROOT/tests/cli/lib.sh" || exit 1
: "${TSA_SERVER:?set TSA_SERVER to tests/ltv/tsa_server}"
need_tool openssl openssl
need_tool python3 python3
need_tool jq jq
PARTS=$TESTS_DIR/parts.py
SERVICE_PIDS=()

stop_all() {
    local p
    for p in "${SERVICE_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${SERVICE_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
}
trap 'stop_all; [ -n "${TEST_TMPDIR:-}" ] || rm -rf "$T"' EXIT

# stop PID: ends one service and waits for it.
stop() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# wait_file FILE WHAT: up to 20 s for FILE to appear.
wait_file() {
    local i
    for i in $(seq 200); do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    fail "$2 did not start (no $1)"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_pki() {
    PKI=$T/pki
    HTTP_LOG=$T/http.log
    mkdir -p "$PKI"
    : >"$HTTP_LOG"
    python3 "$TESTS_DIR/pki_server.py" --dir "$PKI" \
        --port-file "$T/http.port" --ocsp-port-file "$T/ocsp.port" \
        --log "$HTTP_LOG" >"$T/pki_server.log" 2>&1 &
    SERVICE_PIDS+=($!)
    PKI_SERVER_PID=$!
    wait_file "$T/http.port" "pki_server.py"
    HTTP_PORT=$(cat "$T/http.port")
    run "$ESEAL" demo-pki --url-base "http://127.0.0.1:$HTTP_PORT" "$PKI"
    [ "$RC" -eq 0 ] || fail "eseal demo-pki --url-base"
    ok "demo PKI pointing at http://127.0.0.1:$HTTP_PORT"
}

# start_ocsp: a responder for the issuing CA, signed by the delegated
# responder certificate, nextUpdate 5 minutes ahead (so responses are
# cached).
start_ocsp() {
    local port i
    port=$(free_port)
    openssl ocsp -index "$PKI/index.txt" -CA "$PKI/issuing-ca.pem" \
        -rsigner "$PKI/ocsp.pem" -rkey "$PKI/ocsp.key" -port "$port" \
        -nmin 5 >"$T/ocsp.log" 2>&1 &
    SERVICE_PIDS+=($!)
    OCSP_PID=$!
    echo "$port" >"$T/ocsp.port"
    for i in $(seq 100); do
        openssl ocsp -issuer "$PKI/issuing-ca.pem" \
            -cert "$PKI/eseal-rsa.pem" -url "http://127.0.0.1:$port" \
            -noverify >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "openssl ocsp did not start on port $port: $(cat "$T/ocsp.log")"
}

# issue_leaf DIR SUBJECT SERIAL DAYS EXT...: an EC key (DIR/key.pem) and a
# certificate for SUBJECT from the demo issuing CA (DIR/cert.pem) with the
# extension lines EXT.
issue_leaf() {
    local dir=$1 subject=$2 serial=$3 days=$4
    shift 4
    mkdir -p "$dir"
    printf '%s\n' "$@" >"$dir/ext.cnf"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$dir/key.pem" 2>/dev/null || fail "genpkey"
    chmod 600 "$dir/key.pem"
    must openssl req -new -key "$dir/key.pem" -subj "$subject" \
        -out "$dir/req.pem"
    must openssl x509 -req -in "$dir/req.pem" -CA "$PKI/issuing-ca.pem" \
        -CAkey "$PKI/issuing-ca.key" -set_serial "0x$serial" -days "$days" \
        -extfile "$dir/ext.cnf" -out "$dir/cert.pem"
}

# start_tsa NAME [tsa_server options]: sets TSA_NAME and TSA_NAME_PID.
start_tsa() {
    local name=$1
    shift
    rm -f "$T/tsa-$name.port"
    "$TSA_SERVER" --port-file "$T/tsa-$name.port" --cert "$PKI/tsa.pem" \
        --key "$PKI/tsa.key" --chain "$PKI/chain.pem" \
        --log "$T/tsa-$name.log" "$@" >"$T/tsa-$name.out" 2>&1 &
    SERVICE_PIDS+=($!)
    printf -v "TSA_${name}_PID" '%s' "$!"
    wait_file "$T/tsa-$name.port" "tsa_server $name"
    printf -v "TSA_$name" 'http://127.0.0.1:%s/' "$(cat "$T/tsa-$name.port")"
}

# key_args as in the CLI tests, for the PKI started here.
RSA=()
EC=()
set_keys() {
    RSA=(--key "$PKI/eseal-rsa.key" --cert "$PKI/eseal-rsa.pem"
        --chain "$PKI/chain.pem")
    EC=(--key "$PKI/eseal-ec.key" --cert "$PKI/eseal-ec.pem"
        --chain "$PKI/chain.pem")
}

# ts_verify TOKEN DATA WHAT: openssl ts recomputes the imprint of DATA and
# checks TOKEN against the demo trust anchor.
ts_verify() {
    run openssl ts -verify -data "$2" -in "$1" -token_in \
        -CAfile "$PKI/trust.pem" -untrusted "$PKI/chain.pem"
    [ "$RC" -eq 0 ] && grep -q 'Verification: OK' "$T/.stdout" ||
        fail "$3: openssl ts -verify"
    ok "$3: openssl ts -verify (imprint recomputed by openssl)"
}

# ocsp_good RESP WHAT: openssl parses the DER OCSP response, checks its
# signature, and it says good.
ocsp_good() {
    run openssl ocsp -respin "$1" -resp_text -CAfile "$PKI/trust.pem" \
        -verify_other "$PKI/chain.pem"
    grep -q 'Cert Status: good' "$T/.stdout" &&
        grep -q 'Response verify OK' "$T/.stderr" "$T/.stdout" ||
        fail "$2: openssl ocsp -respin"
    ok "$2: openssl ocsp: good, response verifies"
}

# json_of FILE ARGS...: eseal verify --json into $T/report.json.
json_of() {
    verify_json "$@"
}

# count_log PATTERN: lines of the HTTP log matching.
count_log() {
    grep -c "$1" "$HTTP_LOG" || true
}

# expect_fail WHAT PATTERN OUT: the last run failed with exit 2, said
# PATTERN on stderr, and left no OUT.
expect_fail() {
    [ "$RC" -ne 0 ] || fail "$1: expected a failure"
    grep -qi -- "$2" "$T/.stderr" ||
        fail "$1: stderr does not say '$2': $(err)"
    [ ! -e "$3" ] || fail "$1: an output was left behind: $3"
    ok "$1 (exit $RC: $(head -c 150 "$T/.stderr" | tr '\n' ' '))"
}
