#!/bin/bash
# A key on a PKCS#11 token (SoftHSM2, seen through OpenSC's pkcs11-spy):
# nginx -t checks the token and the PIN; each worker logs in once after
# fork() (one C_Login for the master's check, one per worker, none per
# request) and every seal is one C_Sign on the token.
. "$(dirname "$0")/lib.sh"

need_tool softhsm2-util softhsm2
need_tool pkcs11-tool opensc
SOFTHSM=""
for m in /usr/lib/softhsm/libsofthsm2.so \
    /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
    [ -f "$m" ] && SOFTHSM=$m && break
done
[ -n "$SOFTHSM" ] || fail "libsofthsm2.so not found: apt-get install softhsm2"
SPY=""
for m in /usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so \
    /usr/lib/x86_64-linux-gnu/pkcs11-spy.so; do
    [ -f "$m" ] && SPY=$m && break
done
[ -n "$SPY" ] || fail "pkcs11-spy.so not found: apt-get install opensc-pkcs11"

make_pki
make_docs
P=$(free_port)
URL=http://127.0.0.1:$P
ERRLOG=$NGX_PREFIX/logs/error.log
PIN=4711
mkdir -p "$NGX_PREFIX/logs"

say "a SoftHSM2 token holding the demo RSA key"
mkdir -p "$T/softhsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n%s\n' \
    "$T/softhsm/tokens" 'log.level = ERROR' >"$T/softhsm/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm/softhsm2.conf
run softhsm2-util --init-token --free --label nginx --pin "$PIN" --so-pin 9876
[ "$RC" -eq 0 ] || fail "softhsm2-util --init-token"
grep -v '^#' "$KEYS/eseal-rsa.key" >"$T/softhsm/seal.pem"
run softhsm2-util --import "$T/softhsm/seal.pem" --token nginx --label seal \
    --id 01 --pin "$PIN"
[ "$RC" -eq 0 ] || fail "softhsm2-util --import"
rm -f "$T/softhsm/seal.pem"
# the workers open the token too: the worker user needs it, as it would
# need the HSM client's socket or device
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$T/softhsm/tokens"
printf '%s\n' "$PIN" >"$KEYS/pin"
printf '0000\n' >"$KEYS/badpin"
chmod 600 "$KEYS/pin" "$KEYS/badpin"
ok "token nginx, key seal"

export PKCS11SPY=$SOFTHSM
export PKCS11SPY_OUTPUT=$NGX_PREFIX/logs/spy.log
URI="pkcs11:token=nginx;object=seal?module-path=$SPY"

# token_conf NAME PINFILE
token_conf() {
    ngx_conf "$1" "env SOFTHSM2_CONF; env PKCS11SPY;
env PKCS11SPY_OUTPUT;" <<EOF
    server {
        listen 127.0.0.1:$P;
        root $WWW;
        location / {
            eseal on;
            eseal_key "$URI";
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_chain $KEYS/chain.pem;
            eseal_pass_file $2;
            eseal_thread_pool eseal;
            eseal_audit_log logs/audit.log;
        }
    }
EOF
    sed -i "s/^worker_processes 1;/worker_processes 2;/" \
        "$NGX_PREFIX/conf/$1.conf"
}

say "nginx -t checks the token and the PIN"
token_conf bad "$KEYS/badpin"
ngx_test bad
[ "$RC" -ne 0 ] || fail "nginx -t accepted a wrong PIN"
grep -qiE 'pin|password|login' "$T/.stderr" ||
    fail "the wrong PIN is not named: $(cat "$T/.stderr")"
ok "a wrong PIN: $(grep -a emerg "$T/.stderr" | sed 's/^.*emerg\] //' |
    cut -c1-100)"
token_conf good "$KEYS/pin"
ngx_test good
[ "$RC" -eq 0 ] || fail "nginx -t with the token: $(cat "$T/.stderr")"
ok "nginx -t opens the key on the token"

say "one login per worker, none per request"
: >"$PKCS11SPY_OUTPUT"
chmod 666 "$PKCS11SPY_OUTPUT"
ngx_start good "$P"
get pdf "$URL/invoice.pdf"
expect_status 200 "GET /invoice.pdf"
verify_pdf pdf "sealed on the token" "$SERIAL_RSA"
get xml "$URL/invoice.xml"
verify_xml xml "XML sealed on the token"
[ "$(count 'eseal: worker [0-9]+ logged in to the PKCS#11 token' \
    "$ERRLOG")" = 2 ] || fail "worker logins: $(grep -a 'eseal:' "$ERRLOG")"
ok "each of the 2 workers logged in"
seq 1 40 | xargs -P 8 -I{} curl -s -o /dev/null "$URL/small.pdf?{}"
[ "$(wc -l <"$NGX_PREFIX/logs/audit.log")" = 42 ] ||
    fail "not 42 audit lines"
logins=$(grep -cE '^[0-9]+: C_Login$' "$PKCS11SPY_OUTPUT" || true)
signs=$(grep -cE '^[0-9]+: C_Sign$' "$PKCS11SPY_OUTPUT" || true)
assert_eq "$logins" 3 "C_Login: the master's check and one per worker"
assert_eq "$signs" 42 "C_Sign: one per sealed document"
[ "$(count 'logged in to the PKCS#11 token' "$ERRLOG")" = 2 ] ||
    fail "a request logged in again"
ok "42 seals, no further login"

say "a reload opens the token again; new workers log in once each"
ngx_reload good
for _ in $(seq 1 100); do
    [ "$(count 'logged in to the PKCS#11 token' "$ERRLOG")" -ge 4 ] && break
    sleep 0.1
done
[ "$(count 'logged in to the PKCS#11 token' "$ERRLOG")" = 4 ] ||
    fail "after the reload: $(grep -a 'eseal:' "$ERRLOG")"
ok "two new workers logged in"
seq 1 10 | xargs -P 4 -I{} curl -s -o /dev/null "$URL/small.pdf?r{}"
get pdf2 "$URL/invoice.pdf"
verify_pdf pdf2 "sealed on the token after the reload" "$SERIAL_RSA"
assert_no_grep 'exited on signal|\[alert\]|\[crit\]|cannot log in' "$ERRLOG" \
    "no crash, alert or failed login in the error log"

done_ok
