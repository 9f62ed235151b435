#!/bin/bash
# nginx -t loads the module and catches configuration errors with a clear
# message: no key, a missing or damaged key, a key that does not match its
# certificate, a key file readable by others, an unknown profile, a PIN in a
# PKCS#11 URI, a level without a timestamp authority, bad directive values.
. "$(dirname "$0")/lib.sh"

make_pki
PORT=$(free_port)

# conf_with NAME: a server whose location holds the directives on stdin
conf_with() {
    local name=$1 body
    body=$(cat)
    ngx_conf "$name" <<EOF
    server {
        listen 127.0.0.1:$PORT;
        root $T;
        location / {
$body
        }
    }
EOF
}

# refused NAME PATTERN WHAT: nginx -t fails and says PATTERN
refused() {
    ngx_test "$1"
    [ "$RC" -ne 0 ] || fail "$3: nginx -t accepted the configuration"
    grep -qE -- "$2" "$T/.stderr" ||
        fail "$3: nginx -t did not say /$2/: $(cat "$T/.stderr")"
    ok "$3: $(grep -E -- 'emerg' "$T/.stderr" | head -n 1 |
        sed 's/^.*\[emerg\] //')"
}

say "a good configuration loads the module and the key"
conf_with good <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_chain $KEYS/chain.pem;
            eseal_thread_pool eseal;
            eseal_audit_log logs/audit.log;
EOF
ngx_test good
[ "$RC" -eq 0 ] || fail "nginx -t on a good configuration: $(cat "$T/.stderr")"
ok "nginx -t accepts it"
assert_grep "eseal: key \"$KEYS/eseal-rsa.key\" loaded" "$T/.stderr" \
    "the key is loaded while the configuration is read"

say "relative key paths resolve against the configuration's directory"
mkdir -p "$NGX_PREFIX/conf/keys"
cp "$KEYS/eseal-rsa.key" "$KEYS/eseal-rsa.pem" "$NGX_PREFIX/conf/keys/"
chmod 600 "$NGX_PREFIX/conf/keys/eseal-rsa.key"
conf_with relative <<EOF
            eseal on;
            eseal_key keys/eseal-rsa.key;
            eseal_certificate keys/eseal-rsa.pem;
            eseal_audit_log off;
EOF
ngx_test relative
[ "$RC" -eq 0 ] || fail "relative key paths: $(cat "$T/.stderr")"
ok "keys/eseal-rsa.key is found next to the configuration"

say "configuration errors"
conf_with nokey <<EOF
            eseal on;
EOF
refused nokey '"eseal on" needs a key' "eseal on without a key"

conf_with missing <<EOF
            eseal on;
            eseal_key $KEYS/absent.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
EOF
refused missing "absent.key.* in $NGX_PREFIX/conf/missing.conf:[0-9]+" \
    "a missing key file (named, with the place in nginx.conf)"

printf -- '-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n' \
    bm90IGEga2V5 >"$KEYS/broken.key"
chmod 600 "$KEYS/broken.key"
conf_with broken <<EOF
            eseal on;
            eseal_key $KEYS/broken.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
EOF
refused broken "broken.key" "a damaged key file"

conf_with mismatch <<EOF
            eseal on;
            eseal_key $KEYS/eseal-ec.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
EOF
refused mismatch "match" "a key that does not match the certificate"

cp "$KEYS/eseal-rsa.key" "$KEYS/open.key"
chmod 644 "$KEYS/open.key"
conf_with readable <<EOF
            eseal on;
            eseal_key $KEYS/open.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
EOF
refused readable "open.key.*(group|others)" "a key file readable by others"

cat >"$T/eseal.conf" <<EOF
[profile invoices]
key = $KEYS/eseal-rsa.key
certificate = $KEYS/eseal-rsa.pem
chain = $KEYS/chain.pem

[profile receipts]
key = $KEYS/eseal-ec.key
certificate = $KEYS/eseal-ec.pem
EOF
chmod 644 "$T/eseal.conf"
conf_with profile <<EOF
            eseal on;
            eseal_config $T/eseal.conf;
            eseal_profile invoices;
            eseal_audit_log off;
EOF
ngx_test profile
[ "$RC" -eq 0 ] || fail "a profile: $(cat "$T/.stderr")"
assert_grep 'for profile "invoices"' "$T/.stderr" "a profile of eseal.conf"

conf_with noprofile <<EOF
            eseal on;
            eseal_config $T/eseal.conf;
            eseal_profile payslips;
EOF
refused noprofile "payslips" "an unknown profile"

conf_with pin <<EOF
            eseal on;
            eseal_key "pkcs11:token=seal;object=key;pin-value=1234";
EOF
refused pin "pin-value" "a PIN in a PKCS#11 URI"

conf_with level <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_level B-T;
EOF
refused level "eseal_tsa" "level B-T without a timestamp authority"

conf_with badlevel <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_level B-X;
EOF
refused badlevel 'invalid value "B-X"' "an unknown level"

conf_with badtsa <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_tsa ftp://tsa.example/;
EOF
refused badtsa "not an http" "a timestamp authority that is not http(s)"

conf_with timeout <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_net_timeout 0;
EOF
refused timeout 'between 1s and 600s' "eseal_net_timeout 0"

conf_with auditsync <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_audit_log logs/audit.log sync=maybe;
EOF
refused auditsync 'invalid parameter "sync=maybe"' \
    "eseal_audit_log ... sync=maybe"

conf_with star <<EOF
            eseal on;
            eseal_types *;
EOF
refused star 'does not accept "\*"' "eseal_types *"

conf_with nopool <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_thread_pool nosuchpool;
EOF
refused nopool 'unknown thread pool "nosuchpool"' "an undeclared thread pool"

conf_with placement <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_certificate $KEYS/eseal-rsa.pem;
            eseal_placement inside;
EOF
refused placement 'invalid value "inside"' "an unknown placement"

conf_with dup <<EOF
            eseal on;
            eseal_key $KEYS/eseal-rsa.key;
            eseal_key $KEYS/eseal-ec.key;
EOF
refused dup '"eseal_key" directive is duplicate' "eseal_key given twice"

say "eseal off needs no key; a location that turns it on does"
ngx_conf offon <<EOF
    eseal_key $KEYS/eseal-rsa.key;
    eseal_certificate $KEYS/eseal-rsa.pem;
    server {
        listen 127.0.0.1:$PORT;
        location /a/ { }
        location /b/ { eseal on; eseal_audit_log off; }
        location /c/ { eseal on; eseal_audit_log off; }
    }
EOF
ngx_test offon
[ "$RC" -eq 0 ] || fail "inherited key: $(cat "$T/.stderr")"
[ "$(count 'eseal: key .* loaded' "$T/.stderr")" = 1 ] ||
    fail "two locations with the same key opened it twice: $(cat "$T/.stderr")"
ok "locations that share key settings share one opened key"

done_ok
