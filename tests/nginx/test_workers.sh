#!/bin/bash
# Workers and key custody: the key file stays root-only and the workers,
# which run as another user, seal with the key the master loaded (once per
# configuration load, never per request); workers are not dumpable; sealing
# runs in the thread pool, so a fast request is answered while big seals
# run, and a full queue answers 503; worker memory stays within a bound
# over many seals; a reload picks up a renewed key and certificate.
. "$(dirname "$0")/lib.sh"

make_pki
make_docs
P=$(free_port)
URL=http://127.0.0.1:$P
AUDIT=$NGX_PREFIX/logs/audit.log
ERRLOG=$NGX_PREFIX/logs/error.log

# the key nginx uses: a copy that a renewal replaces
cp "$KEYS/eseal-rsa.key" "$KEYS/seal.key"
cp "$KEYS/eseal-rsa.pem" "$KEYS/seal.pem"
chmod 600 "$KEYS/seal.key"

# workers NAME N: a configuration with N workers
workers_conf() {
    ngx_conf "$1" "thread_pool one threads=1 max_queue=0;" <<EOF
    eseal_key $KEYS/seal.key;
    eseal_certificate $KEYS/seal.pem;
    eseal_chain $KEYS/chain.pem;
    eseal_audit_log logs/audit.log;
    eseal_max_size 512m;
    server {
        listen 127.0.0.1:$P;
        root $WWW;
        location / {
            eseal on;
            eseal_thread_pool eseal;
        }
        location /one/ {
            alias $WWW/;
            eseal on;
            eseal_thread_pool one;
        }
        location /plain/ {
            alias $WWW/;
        }
    }
EOF
    sed -i "s/^worker_processes 1;/worker_processes $2;/" \
        "$NGX_PREFIX/conf/$1.conf"
}

workers_conf two 2
ngx_start two "$P"

say "key custody"
get first "$URL/invoice.pdf"
expect_status 200 "GET /invoice.pdf"
verify_pdf first "sealed by a worker" "$SERIAL_RSA"
[ "$(stat -c %a "$KEYS/seal.key")" = 600 ] || fail "key mode"
ok "the key file is mode 0600, owner $(stat -c %U "$KEYS/seal.key")"
mapfile -t W < <(worker_pids)
[ "${#W[@]}" = 2 ] || fail "expected 2 workers, found ${#W[@]}"
if [ "$(id -u)" = 0 ]; then
    for w in "${W[@]}"; do
        [ "$(ps -o user= -p "$w" | tr -d ' ')" = nobody ] ||
            fail "worker $w does not run as nobody"
        [ "$(stat -c %u "/proc/$w/status")" = 0 ] ||
            fail "worker $w is dumpable (its /proc files are not root's)"
    done
    ok "workers run as nobody and are not dumpable"
    if runuser -u nobody -- cat "$KEYS/seal.key" >/dev/null 2>&1; then
        fail "the worker user can read the key file"
    fi
    ok "the worker user cannot read the key file, yet the workers seal"
else
    ok "not root: workers run as $(id -un); the user checks need root"
fi

say "the key is loaded once per configuration load, never per request"
[ "$(count 'eseal: key .* loaded' "$ERRLOG")" = 1 ] ||
    fail "key loads at start: $(grep -a 'loaded' "$ERRLOG")"
[ "$(count 'eseal: worker [0-9]+ uses key' "$ERRLOG")" = 2 ] ||
    fail "worker lines: $(grep -a 'eseal: worker' "$ERRLOG")"
ok "one load by the master, one ready line per worker"
seq 1 40 | xargs -P 8 -I{} curl -s -o /dev/null "$URL/invoice.xml?{}"
seq 1 40 | xargs -P 8 -I{} curl -s -o /dev/null "$URL/small.pdf?{}"
[ "$(wc -l <"$AUDIT")" -ge 81 ] || fail "not every request was sealed"
[ "$(count 'eseal: key .* loaded' "$ERRLOG")" = 1 ] ||
    fail "a request loaded the key again"
[ "$(count 'eseal: worker [0-9]+ uses key' "$ERRLOG")" = 2 ] ||
    fail "a request re-initialised a worker's key"
ok "80 more seals, no further key load"

say "reload picks up a renewed key and certificate"
cp "$KEYS/eseal-ec.key" "$KEYS/seal.key.new"
chmod 600 "$KEYS/seal.key.new"
mv "$KEYS/seal.key.new" "$KEYS/seal.key"
cp "$KEYS/eseal-ec.pem" "$KEYS/seal.pem"
LD_LIBRARY_PATH=$ESEAL_LIBDIR "$NGINX" -p "$NGX_PREFIX/" -c conf/two.conf \
    -s reload 2>"$T/.stderr" || fail "nginx -s reload"
renewed=""
for _ in $(seq 1 100); do
    get reload "$URL/invoice.pdf"
    run "$ESEAL" verify --offline --trust "$PKI/trust.pem" --json \
        "$T/reload.body"
    if [ "$(jq -r '.signatures[-1].signer.serial' "$T/.stdout" \
        2>/dev/null)" = "$SERIAL_EC" ]; then
        renewed=1
        break
    fi
    sleep 0.1
done
[ -n "$renewed" ] || fail "after the reload, seals still use the old key"
verify_pdf reload "sealed with the renewed key" "$SERIAL_EC"
[ "$(count 'eseal: key .* loaded' "$ERRLOG")" = 2 ] ||
    fail "the reload did not load the key exactly once"
ok "the reload loaded the key once"
ngx_stop_quietly
cp "$KEYS/eseal-rsa.key" "$KEYS/seal.key"
cp "$KEYS/eseal-rsa.pem" "$KEYS/seal.pem"

workers_conf one 1
ngx_start one "$P"

say "worker memory over many seals"
W1=$(worker_pids)
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$W1/status"; }
seq 1 40 | xargs -P 4 -I{} curl -s -o /dev/null "$URL/invoice.pdf?w{}"
seq 1 40 | xargs -P 4 -I{} curl -s -o /dev/null "$URL/invoice.xml?w{}"
before=$(rss)
seq 1 300 | xargs -P 4 -I{} curl -s -o /dev/null "$URL/invoice.pdf?{}"
seq 1 300 | xargs -P 4 -I{} curl -s -o /dev/null "$URL/invoice.xml?{}"
after=$(rss)
[ "$(worker_pids)" = "$W1" ] || fail "the worker changed (crashed?)"
# the stated bound: 600 seals of 20 KB PDFs and 10 KB invoices grow the
# worker by less than 16 MB once it is warm (thread arenas are warm too)
[ $((after - before)) -lt 16384 ] ||
    fail "worker RSS grew from $before kB to $after kB over 600 seals"
ok "worker RSS $before kB -> $after kB over 600 seals (bound: +16 MB)"

# big_seals SIZE_MB: starts two seals of a SIZE_MB PDF, waits until both
# are in the thread pool; BIG_PIDS holds the curls
big_seals() {
    local i n
    python3 "$TESTS_DIR/make_docs.py" "$WWW" "big.pdf=pdf:${1}m" ||
        fail "make_docs.py big.pdf"
    chmod a+r "$WWW/big.pdf"
    : >"$ERRLOG"
    : >"$AUDIT"
    BIG_PIDS=()
    for i in 1 2; do
        curl -s --max-time 120 -o "$T/big$i.body" "$URL/big.pdf?$i" &
        BIG_PIDS+=($!)
    done
    for _ in $(seq 1 600); do
        n=$(count "eseal: sealing .* bytes" "$ERRLOG")
        [ "$n" -ge 2 ] && return 0
        sleep 0.05
    done
    fail "the big seals did not start"
}

say "sealing runs off the event loop: a fast request while big seals run"
conclusive=""
for size in 64 128 256; do
    big_seals "$size"
    get fast "$URL/plain/note.txt"
    expect_status 200 "an unsealed request during two ${size} MB seals"
    sealed_then=$(wc -l <"$AUDIT")
    wait "${BIG_PIDS[@]}"
    if [ "$sealed_then" = 0 ]; then
        conclusive=1
        break
    fi
    say "the seals of ${size} MB were done before the fast answer; bigger"
done
[ -n "$conclusive" ] ||
    fail "could not observe a fast answer during big seals"
ok "answered while both seals were still running"
[ "$(wc -l <"$AUDIT")" = 2 ] || fail "the big seals did not finish"
run "$ESEAL" verify --offline --trust "$PKI/trust.pem" "$T/big1.body"
[ "$RC" -eq 0 ] || fail "the big sealed PDF does not verify"
ok "the ${size} MB PDF is sealed and verifies"

say "a client that goes away during a seal"
python3 "$TESTS_DIR/make_docs.py" "$WWW" "big.pdf=pdf:64m"
chmod a+r "$WWW/big.pdf"
: >"$ERRLOG"
: >"$AUDIT"
curl -s --max-time 120 -o /dev/null "$URL/big.pdf?gone" &
GONE=$!
for _ in $(seq 1 600); do
    [ "$(count 'eseal: sealing' "$ERRLOG")" -ge 1 ] && break
    sleep 0.05
done
kill "$GONE" 2>/dev/null
wait "$GONE" 2>/dev/null
for _ in $(seq 1 600); do
    [ -s "$AUDIT" ] && break
    sleep 0.05
done
[ -s "$AUDIT" ] || fail "the abandoned seal did not finish"
get alive "$URL/invoice.pdf"
verify_pdf alive "the worker seals on after an abandoned seal"
[ "$(worker_pids)" = "$W1" ] || fail "the worker changed (crashed?)"
ok "the same worker, no crash"

say "a full thread queue answers 503"
conclusive=""
for size in 64 128 256; do
    python3 "$TESTS_DIR/make_docs.py" "$WWW" "big.pdf=pdf:${size}m"
    chmod a+r "$WWW/big.pdf"
    : >"$ERRLOG"
    : >"$AUDIT"
    curl -s --max-time 120 -o "$T/onebig.body" "$URL/one/big.pdf" &
    BIG=$!
    for _ in $(seq 1 600); do
        [ "$(count 'eseal: sealing' "$ERRLOG")" -ge 1 ] && break
        sleep 0.05
    done
    get busy "$URL/one/small.pdf"
    sealed_then=$(wc -l <"$AUDIT")
    wait "$BIG"
    if [ "$sealed_then" = 0 ]; then
        conclusive=1
        break
    fi
done
[ -n "$conclusive" ] || fail "could not observe a busy thread pool"
expect_status 503 "a seal while the one-thread pool is busy"
no_document busy "full queue"
[ "$(count 'eseal: the thread pool queue is full' "$ERRLOG")" = 1 ] ||
    fail "full queue: not one line of ours: $(cat "$ERRLOG")"
ok "logged once with its cause (nginx adds its own queue overflow line)"
run "$ESEAL" verify --offline --trust "$PKI/trust.pem" "$T/onebig.body"
[ "$RC" -eq 0 ] || fail "the seal that held the pool does not verify"
ok "the seal that held the pool completed"
rm -f "$WWW/big.pdf"

assert_no_grep 'exited on signal|\[alert\]|\[crit\]' "$ERRLOG" \
    "no crash or alert in the error log"

done_ok
