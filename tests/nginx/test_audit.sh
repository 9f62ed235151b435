#!/bin/bash
# The module's audit log: the library's line format (docs/batch.md) with
# the request URI, the upstream and the profile; refusals recorded; log
# rotation: the file renamed, USR1 to the master (or nginx -s reopen), the
# next lines go to a new file at the path, owned by the worker user, and
# no line is lost or split while requests run during the rotation.
. "$(dirname "$0")/lib.sh"

make_pki
make_docs
P=$(free_port)
BACK=$(free_port)
URL=http://127.0.0.1:$P
AUDIT=$NGX_PREFIX/logs/audit.log
ERRLOG=$NGX_PREFIX/logs/error.log

cat >"$T/eseal.conf" <<EOF
[profile receipts]
key = $KEYS/eseal-ec.key
certificate = $KEYS/eseal-ec.pem
chain = $KEYS/chain.pem
EOF

ngx_conf audit <<EOF
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
        root $WWW;
        location / {
            eseal on;
        }
        location /profile/ {
            alias $WWW/;
            eseal on;
            eseal_config $T/eseal.conf;
            eseal_profile receipts;
        }
        location /back/ {
            eseal on;
            proxy_pass http://127.0.0.1:$BACK/;
        }
    }
EOF
ngx_start audit "$P" "$BACK"

# line N: the Nth line of the audit log (1-based)
line() { sed -n "$1p" "$AUDIT"; }

say "the fields of the module's lines"
get pdf "$URL/invoice.pdf?copy=1"
expect_status 200 "GET /invoice.pdf?copy=1"
get prof "$URL/profile/invoice.xml"
expect_status 200 "GET /profile/invoice.xml"
get back "$URL/back/invoice.pdf"
expect_status 200 "GET /back/invoice.pdf (proxied)"
get damaged "$URL/damaged.pdf"
expect_status 500 "GET /damaged.pdf"
[ "$(wc -l <"$AUDIT")" = 4 ] || fail "not 4 audit lines: $(cat "$AUDIT")"
ok "four audit lines"

python3 - "$AUDIT" <<'EOF' || fail "the audit lines are not the documented JSON"
import json, sys
keys = ["time", "host", "pid", "input", "output", "input_sha256",
        "output_sha256", "format", "level", "certificate", "result",
        "error", "error_code", "profile", "input_size", "output_size",
        "context"]
for text in open(sys.argv[1], encoding="utf-8"):
    line = json.loads(text)
    if list(line) != keys:
        sys.exit("keys %s" % list(line))
    if not isinstance(line["context"], dict) or "uri" not in line["context"]:
        sys.exit("context %s" % line["context"])
EOF
ok "every line is JSON (python3) with the documented keys in order"

jq -e --arg sha "$(sha256sum "$T/pdf.body" | cut -d' ' -f1)" \
    --arg in "$(stat -c %s "$WWW/invoice.pdf")" \
    --arg out "$(stat -c %s "$T/pdf.body")" \
    '.context == {"uri": "/invoice.pdf?copy=1"} and .profile == null
     and .output_sha256 == $sha and .input_size == ($in | tonumber)
     and .output_size == ($out | tonumber) and .result == "sealed"' \
    <<<"$(line 1)" >/dev/null || fail "static file: $(line 1)"
ok "a static file: context.uri with the query, no upstream, no profile," \
    "sizes of the file and of the sealed body"

jq -e --arg serial "$SERIAL_EC" \
    '.context == {"uri": "/profile/invoice.xml"} and .profile == "receipts"
     and .format == "xml" and .certificate.serial == $serial' \
    <<<"$(line 2)" >/dev/null || fail "profile: $(line 2)"
ok "a location with eseal_profile: profile receipts and its certificate"

jq -e --arg up "127.0.0.1:$BACK" \
    '.context == {"uri": "/back/invoice.pdf", "upstream": $up}
     and .input == "upstream \($up) /back/invoice.pdf"' \
    <<<"$(line 3)" >/dev/null || fail "proxied: $(line 3)"
ok "a proxied response: context.upstream $(jq -r .context.upstream \
    <<<"$(line 3)")"

jq -e '.context == {"uri": "/damaged.pdf"} and .result == "failed"
    and .output == null and .output_size == null and .input_size > 0
    and .error_code != null' <<<"$(line 4)" >/dev/null ||
    fail "refused: $(line 4)"
ok "a refused seal: failed, with its URI, no output"

# reopened WHAT N: waits until N "audit log reopened" notices are logged
reopened() {
    local i
    for i in $(seq 1 100); do
        [ "$(count 'eseal: audit log ".*/audit.log" reopened' "$ERRLOG")" -ge \
            "$2" ] && break
        sleep 0.1
    done
    [ "$i" -lt 100 ] || fail "$1: the master and the worker did not reopen"
    assert_no_grep '\[alert\].*eseal' "$ERRLOG" "$1: no alert"
}

say "rotation: mv, then USR1 to the master"
mv "$AUDIT" "$AUDIT.1"
: >"$ERRLOG"
kill -USR1 "$NGX_PID"
reopened "USR1" 2
[ -f "$AUDIT" ] || fail "no new audit log after USR1"
[ "$(stat -c %U "$AUDIT")" = "$WORKER_USER" ] ||
    fail "the new audit log belongs to $(stat -c %U "$AUDIT")"
ok "a new, empty audit log owned by the worker user $WORKER_USER"
get after "$URL/invoice.pdf"
expect_status 200 "GET /invoice.pdf after the rotation"
[ "$(wc -l <"$AUDIT")" = 1 ] || fail "new file: $(cat "$AUDIT")"
[ "$(wc -l <"$AUDIT.1")" = 4 ] || fail "a line went to the renamed file"
jq -e --arg sha "$(sha256sum "$T/after.body" | cut -d' ' -f1)" \
    '.output_sha256 == $sha' "$AUDIT" >/dev/null ||
    fail "the new file's line: $(cat "$AUDIT")"
ok "the next line is in the new file, the renamed one keeps its 4 lines"

say "rotation under load: nginx -s reopen while requests run"
N=200
seq 1 "$N" | xargs -P 6 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
    --max-time 60 "$URL/invoice.pdf?n={}" >"$T/codes" &
LOAD=$!
sleep 0.2
mv "$AUDIT" "$AUDIT.2"
: >"$ERRLOG"
LAST_CMD="nginx -s reopen"
LD_PRELOAD=$NGX_PRELOAD LD_LIBRARY_PATH=$ESEAL_LIBDIR "$NGINX" \
    -p "$NGX_PREFIX/" -c conf/audit.conf -s reopen \
    >"$T/.stdout" 2>"$T/.stderr" || fail "nginx -s reopen"
reopened "nginx -s reopen" 2
wait "$LOAD"
[ "$(grep -c '^200$' "$T/codes")" = "$N" ] ||
    fail "not $N sealed answers: $(sort "$T/codes" | uniq -c)"
n2=$(wc -l <"$AUDIT.2")
n3=$(wc -l <"$AUDIT")
[ $((n2 + n3)) = $((N + 1)) ] ||
    fail "lines: $n2 in the renamed file + $n3 in the new one, not $((N + 1))"
cat "$AUDIT.2" "$AUDIT" | jq -e -s --argjson n "$N" \
    '[.[] | .context.uri | select(startswith("/invoice.pdf?n="))]
     | unique | length == $n' >/dev/null ||
    fail "the requests' lines are not all there once"
ok "$N requests: $n2 lines before the reopen (with the earlier one)," \
    "$n3 after, each request once, every line whole"

say "a reload: the old workers leave, the new ones append to the same file"
before=$(wc -l <"$AUDIT")
ngx_reload audit
for _ in $(seq 1 100); do
    [ "$(count 'gracefully shutting down' "$ERRLOG")" -ge 1 ] && break
    sleep 0.1
done
get reload "$URL/invoice.pdf?reloaded"
expect_status 200 "GET after the reload"
[ "$(wc -l <"$AUDIT")" = $((before + 1)) ] ||
    fail "after the reload: $(tail -n 2 "$AUDIT")"
jq -e -s '.[-1].context.uri == "/invoice.pdf?reloaded"' "$AUDIT" >/dev/null ||
    fail "the line after the reload: $(tail -n 1 "$AUDIT")"
ok "the line after the reload is in the same file"

say "no worker crashed, no alert"
assert_no_grep 'exited on signal|\[alert\]|\[crit\]' "$ERRLOG" \
    "no crash or alert in the error log"

done_ok
