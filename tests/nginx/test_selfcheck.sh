#!/bin/bash
# A profile with self_check = true in nginx: the library runs Poppler in its
# helper process (eseal-selfcheck) from the worker's thread pool.  nginx's
# SIGCHLD handler reaps children with waitpid(-1) in every process, so it
# may reap the helper before the library does: the helper's answer line
# then decides alone.  Sealed responses verify; the known Poppler/NSS input
# is sealed or refused, and the worker serves on; a helper's refusal or
# crash is a 500 with the self-check's reason in the error log; no helper
# is left behind.
. "$(dirname "$0")/lib.sh"

make_pki
make_docs
P=$(free_port)
URL=http://127.0.0.1:$P
ERRLOG=$NGX_PREFIX/logs/error.log
cp "$SOURCE_ROOT/tests/fuzz/known/poppler-nss-use-after-free.pdf" \
    "$WWW/known.pdf"
chmod a+r "$WWW/known.pdf"

cat >"$T/eseal.conf" <<EOF
[profile checked]
key = $KEYS/eseal-rsa.key
certificate = $KEYS/eseal-rsa.pem
chain = $KEYS/chain.pem
self_check = true
EOF

ngx_conf selfcheck <<EOF
    eseal_thread_pool eseal;
    server {
        listen 127.0.0.1:$P;
        root $WWW;
        location / {
            eseal on;
            eseal_config $T/eseal.conf;
            eseal_profile checked;
        }
    }
EOF

# helpers_gone: the workers have no child left: no helper running, none
# unreaped (the helpers are the only children a worker makes)
helpers_gone() {
    local w left
    for w in $(worker_pids); do
        left=$(ps -o pid=,stat=,args= --ppid "$w" || true)
        [ -z "$left" ] || fail "$1: worker $w has children left: $left"
    done
    ok "$1: no helper left, no zombie"
}

ngx_start selfcheck "$P"
wait_workers 1
WORKER=$(worker_pids)

say "sealed with the self-check"
get pdf "$URL/invoice.pdf"
expect_status 200 "GET /invoice.pdf"
verify_pdf pdf "a self-checked seal" "$SERIAL_RSA"

say "24 requests at once"
seq 1 24 | xargs -P 8 -I{} curl -s -o "$T/many-{}.pdf" -w '%{http_code}\n' \
    "$URL/invoice.pdf?{}" >"$T/codes"
[ "$(grep -c '^200$' "$T/codes")" = 24 ] ||
    fail "24 requests: $(sort "$T/codes" | uniq -c | tr '\n' ' ')"
for i in 1 12 24; do
    run "$ESEAL" verify --offline --trust "$PKI/trust.pem" "$T/many-$i.pdf"
    [ "$RC" -eq 0 ] || fail "response $i does not verify: $(cat "$T/.stdout")"
done
ok "24 responses sealed, three of them verified"
helpers_gone "after 24 requests"

say "the known Poppler/NSS input, three times in the same worker"
for n in 1 2 3; do
    get known "$URL/known.pdf?$n"
    case $STATUS in
    200) verify_pdf known "known input $n: sealed" ;;
    500) no_document known "known input $n: refused" ;;
    *) fail "known input $n: status $STATUS" ;;
    esac
done
[ "$(worker_pids)" = "$WORKER" ] ||
    fail "the worker changed ($WORKER, now $(worker_pids | tr '\n' ' '))"
assert_no_grep 'exited on signal' "$ERRLOG" "no nginx process died"
ok "worker $WORKER served every request"
helpers_gone "after the known input"
ngx_stop_quietly

# A copy of libeseal.so with a stand-in helper beside it, where the library
# looks first: its refusal and its crash reach the client as a 500 and the
# error log as the self-check's reason.
A=$T/alone
mkdir -p "$A"
cp -L "$ESEAL_LIBDIR/libeseal.so.0" "$A/libeseal.so.0"
chmod -R a+rX "$A"
stand_in() {
    rm -f "$A/eseal-selfcheck"
    printf '#!/bin/sh\n%s\n' "$1" >"$A/eseal-selfcheck"
    chmod 755 "$A/eseal-selfcheck"
}
ESEAL_LIBDIR=$A

say "a helper that refuses"
stand_in 'cat >/dev/null; echo "EVERIFY stand-in refuses $3"; exit 1'
ngx_start selfcheck "$P"
wait_workers 1
get refused "$URL/invoice.pdf"
expect_status 500 "a refusing helper"
no_document refused "a refusing helper"
assert_grep 'stand-in refuses' "$ERRLOG" "the helper's reason in the error log"

say "a helper killed by a signal"
stand_in 'cat >/dev/null; kill -SEGV $$'
get crashed "$URL/invoice.pdf"
expect_status 500 "a crashing helper"
no_document crashed "a crashing helper"
# nginx's SIGCHLD handler reaps every child of a worker, often before the
# library does: the crash is then known by its missing answer
crashed='crashed while reading the sealed PDF'
unanswered='ended without an answer \(crashed or killed'
assert_grep "self-check: Poppler ($crashed|$unanswered)" "$ERRLOG" \
    "the crash in the error log"
helpers_gone "after the stand-ins"

done_ok
