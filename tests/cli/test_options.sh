#!/bin/bash
# Options of eseal seal and verify: PKCS#12 with a password file or
# variable, standard input and output, --out-dir, --certify (DocMDP P=2),
# --self-check, profiles from a configuration file, several inputs to
# verify, and eseal cert inspect of the demo certificate.
. "$(dirname "$0")/lib.sh" || exit 1
. "$TESTS_DIR/checks.sh" || exit 1
need_tool pdfsig poppler-utils
need_tool qpdf qpdf
need_tool openssl openssl
need_tool jq jq
need_tool python3 python3
make_pki
IN=$T/classic.pdf
cp "$(sample classic)" "$IN"

# --- PKCS#12 -----------------------------------------------------------------
say "PKCS#12 with --pass-file"
KEYCERT=$PKI/eseal-rsa.pem
seal "$IN" "$T/p12file.pdf" --key "$PKI/eseal-rsa.p12" \
    --pass-file "$PKI/eseal-rsa.p12.pass"
check_sealed "$IN" "$T/p12file.pdf" rsa sha256 0

say "PKCS#12 with --pass-env"
P12_PASSWORD=$(head -n 1 "$PKI/eseal-rsa.p12.pass" | tr -d '\r\n')
export P12_PASSWORD
seal "$IN" "$T/p12env.pdf" --key "$PKI/eseal-rsa.p12" \
    --pass-env P12_PASSWORD
unset P12_PASSWORD
check_sealed "$IN" "$T/p12env.pdf" rsa sha256 0

say "PKCS#12 with a password file readable by others"
cp "$PKI/eseal-rsa.p12.pass" "$T/open.pass"
chmod 644 "$T/open.pass"
run "$ESEAL" seal --key "$PKI/eseal-rsa.p12" --pass-file "$T/open.pass" \
    -o "$T/openpass.pdf" "$IN"
expect_rc 2 "password file mode 0644 refused"
assert_no_file "$T/openpass.pdf"

# --- standard input and output -----------------------------------------------
key_args ec
say "stdin to stdout"
run_in "$IN" "$ESEAL" seal "${KEYARGS[@]}" -o - -
expect_rc 0 "seal - -o -"
cp "$T/.stdout" "$T/stdio.pdf"
check_sealed "$IN" "$T/stdio.pdf" ec sha256 0

say "stdin to a file"
run_in "$IN" "$ESEAL" seal "${KEYARGS[@]}" -o "$T/stdin.pdf" -
expect_rc 0 "seal - -o FILE"
check_sealed "$IN" "$T/stdin.pdf" ec sha256 0

say "file to stdout"
run "$ESEAL" seal "${KEYARGS[@]}" -o - "$IN"
expect_rc 0 "seal FILE -o -"
cp "$T/.stdout" "$T/stdout.pdf"
check_sealed "$IN" "$T/stdout.pdf" ec sha256 0

say "a damaged document on stdin"
run_in "$(sample bad-truncated)" "$ESEAL" seal "${KEYARGS[@]}" -o - -
expect_rc 1 "damaged stdin refused"
[ -s "$T/.stdout" ] && fail "output written for a refused document"
ok "nothing on stdout"

# --- several inputs, --out-dir -----------------------------------------------
say "--out-dir with three inputs"
mkdir -p "$T/many" "$T/sealed"
for n in classic xrefstream hybrid; do cp "$(sample "$n")" "$T/many/"; done
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir "$T/sealed" "$T/many/classic.pdf" \
    "$T/many/xrefstream.pdf" "$T/many/hybrid.pdf"
expect_rc 0 "seal --out-dir"
for n in classic xrefstream hybrid; do
    pdfsig_check "$T/sealed/$n.pdf" 1
done
assert_eq "$(ls "$T/sealed" | wc -l)" 3 "three files in the output dir"

say "--out-dir with one bad input among good ones"
mkdir -p "$T/mixed"
cp "$(sample bad-not-pdf)" "$T/many/"
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir "$T/mixed" "$T/many/classic.pdf" \
    "$T/many/bad-not-pdf.pdf" "$T/many/hybrid.pdf"
expect_rc 1 "a batch with a bad document"
grep -qF "$T/many/bad-not-pdf.pdf" "$T/.stderr" ||
    fail "the batch's message does not name the bad file"
assert_eq "$(ls "$T/mixed" | sort | tr '\n' ' ')" "classic.pdf hybrid.pdf " \
    "the good documents are sealed, the bad one is not"

# --- verify with several inputs ----------------------------------------------
say "verify --json with two inputs"
run "$ESEAL" verify --json --trust "$PKI/trust.pem" "$T/sealed/classic.pdf" \
    "$T/sealed/hybrid.pdf"
expect_rc 0 "verify two sealed files"
cp "$T/.stdout" "$T/two.json"
assert_json "$T/two.json" 'type' array "two inputs give a JSON array"
assert_json "$T/two.json" 'length' 2 "two reports"
assert_json "$T/two.json" '[.[].valid] | all' true "both valid"
assert_json "$T/two.json" '.[1].file' "$T/sealed/hybrid.pdf" \
    "reports in input order, with the file name"

run "$ESEAL" verify --json --trust "$PKI/trust.pem" "$T/sealed/classic.pdf" \
    "$IN"
expect_rc 1 "verify a sealed and an unsealed file"
cp "$T/.stdout" "$T/two.json"
assert_json "$T/two.json" '.[1].valid' false "the unsealed file is not valid"
assert_json "$T/two.json" '.[1].signatures | length' 0 "no signatures"

# --- --self-check ------------------------------------------------------------
say "--self-check"
seal "$IN" "$T/selfcheck.pdf" "${KEYARGS[@]}" --self-check
pdfsig_check "$T/selfcheck.pdf" 1

# --- --certify -----------------------------------------------------------------
say "--certify"
key_args rsa
seal "$IN" "$T/certified.pdf" "${KEYARGS[@]}" --certify
check_sealed "$IN" "$T/certified.pdf" rsa sha256 0
tail -c +"$(($(stat -c %s "$IN") + 1))" "$T/certified.pdf" >"$T/update.bin"
assert_grep '/Reference *\[' "$T/update.bin" "certify: /Reference"
assert_grep '/TransformMethod */DocMDP' "$T/update.bin" "certify: DocMDP"
assert_grep '/P +2([^0-9]|$)' "$T/update.bin" "certify: /P 2"
assert_grep '/Perms *<<[^>]*/DocMDP' "$T/update.bin" \
    "certify: catalog /Perms /DocMDP"
verify_json "$T/certified.pdf" --trust "$PKI/trust.pem"
expect_rc 0 "verify --json the certified document"
assert_json "$T/report.json" '.signatures[0].certification' true \
    "verify --json: certification true"
assert_json "$T/report.json" '.signatures[0].docmdp_permissions' 2 \
    "verify --json: DocMDP P=2"
run "$ESEAL" verify --trust "$PKI/trust.pem" "$T/certified.pdf"
expect_rc 0 "verify the certified document"
grep -qi 'certif' "$T/.stdout" ||
    fail "verify does not report the certification: $(out)"
ok "verify reports the certification"

say "seal a certified (P=2) document again"
key_args ec
seal "$T/certified.pdf" "$T/certified2.pdf" "${KEYARGS[@]}"
check_sealed "$T/certified.pdf" "$T/certified2.pdf" ec sha256 1

say "seal a P=1 document: refused"
run "$ESEAL" seal "${KEYARGS[@]}" -o "$T/p1.pdf" "$(sample certified-p1)"
expect_rc 1 "P=1 refused"
assert_no_file "$T/p1.pdf"
run "$ESEAL" seal "${KEYARGS[@]}" --certify -o "$T/p1.pdf" \
    "$(sample certified-p1)"
expect_rc 1 "P=1 refused with --certify"

# --- cert inspect --------------------------------------------------------------
say "cert inspect"
OID=$(subject_field "$PKI/eseal-rsa.pem" organizationIdentifier)
case $OID in NTRJP-*) ;; *) fail "demo certificate has no NTRJP id: $OID" ;;
esac
run "$ESEAL" cert inspect "$PKI/eseal-rsa.pem"
expect_rc 0 "cert inspect"
grep -F -- "$OID" "$T/.stdout" | grep -iw 'valid' >/dev/null ||
    fail "cert inspect does not show $OID as valid: $(out)"
ok "cert inspect shows $OID as valid"
run "$ESEAL" cert inspect --json "$PKI/eseal-rsa.pem"
expect_rc 0 "cert inspect --json"
cp "$T/.stdout" "$T/inspect.json"
assert_json "$T/inspect.json" ".organization_identifiers[] |
    select(.value == \"$OID\") | .check" valid \
    "cert inspect --json: $OID has a valid check digit"
assert_json "$T/inspect.json" '.organization' \
    "$(subject_field "$PKI/eseal-rsa.pem" O)" "cert inspect --json: O"

# --- profiles ------------------------------------------------------------------
# docs/config.md: INI groups [eseal] and [profile NAME]; relative file names
# are relative to the configuration file's directory.
say "--profile from --config"
CONF=$PKI/eseal.conf
cat >"$CONF" <<'CONF'
# integration test configuration
[eseal]
default_profile = demo

[profile demo]
key = eseal-rsa.key
certificate = eseal-rsa.pem
chain = chain.pem
trust = trust.pem

[profile ec384]
key = eseal-ec384.key
certificate = eseal-ec384.pem
chain = chain.pem
digest = sha512

[profile p12]
key = eseal-rsa.p12
password_file = eseal-rsa.p12.pass
rsa_pss = yes

[profile certify]
key = eseal-ec.key
certificate = eseal-ec.pem
chain = chain.pem
certify = true
CONF
chmod 644 "$CONF"

KEYCERT=$PKI/eseal-rsa.pem
seal "$IN" "$T/prof-demo.pdf" --config "$CONF" --profile demo
check_sealed "$IN" "$T/prof-demo.pdf" rsa sha256 0

say "the default profile (default_profile = demo)"
seal "$IN" "$T/prof-default.pdf" --config "$CONF"
check_sealed "$IN" "$T/prof-default.pdf" rsa sha256 0

say "a profile's digest"
KEYCERT=$PKI/eseal-ec384.pem
seal "$IN" "$T/prof-ec384.pdf" --config "$CONF" --profile ec384
check_sealed "$IN" "$T/prof-ec384.pdf" ec384 sha512 0

say "the command line wins over the profile"
seal "$IN" "$T/prof-override.pdf" --config "$CONF" --profile ec384 \
    --digest sha384
check_sealed "$IN" "$T/prof-override.pdf" ec384 sha384 0

say "a PKCS#12 profile with password_file and rsa_pss"
KEYCERT=$PKI/eseal-rsa.pem
seal "$IN" "$T/prof-p12.pdf" --config "$CONF" --profile p12
check_sealed "$IN" "$T/prof-p12.pdf" rsa-pss sha256 0

say "a certify profile"
KEYCERT=$PKI/eseal-ec.pem
seal "$IN" "$T/prof-certify.pdf" --config "$CONF" --profile certify
tail -c +"$(($(stat -c %s "$IN") + 1))" "$T/prof-certify.pdf" >"$T/update.bin"
assert_grep '/TransformMethod */DocMDP' "$T/update.bin" "profile certify: DocMDP"

say "verify with the profile's trust anchors"
verify_json "$T/prof-demo.pdf" --config "$CONF" --profile demo
expect_rc 0 "verify --profile demo (trust from the profile)"
assert_json "$T/report.json" '.signatures[0].chain_trusted' true \
    "the profile's trust anchors are used"

say "an unknown profile"
run "$ESEAL" seal --config "$CONF" --profile nosuch -o "$T/x.pdf" "$IN"
expect_rc 2 "unknown profile"
assert_no_file "$T/x.pdf"
grep -qF nosuch "$T/.stderr" || fail "the message does not name the profile"
grep -qF demo "$T/.stderr" || fail "the message does not list the profiles"
ok "the message names the profile and lists the others"

say "a typo in the configuration"
printf '[profile demo]\nkey = eseal-rsa.key\ndigst = sha384\n' \
    >"$PKI/typo.conf"
run "$ESEAL" seal --config "$PKI/typo.conf" -o "$T/x.pdf" "$IN"
expect_rc 2 "unknown key in the configuration"
grep -qF "$PKI/typo.conf:3:" "$T/.stderr" ||
    fail "the message does not give file and line: $(err)"
ok "message: $(err)"
assert_no_file "$T/x.pdf"

say "a configuration writable by others"
cp "$CONF" "$PKI/open.conf"
chmod 666 "$PKI/open.conf"
run "$ESEAL" seal --config "$PKI/open.conf" -o "$T/x.pdf" "$IN"
expect_rc 2 "world-writable configuration refused"
assert_no_file "$T/x.pdf"

say "a password in the configuration"
PASS=$(head -n 1 "$PKI/eseal-rsa.p12.pass" | tr -d '\r\n')
printf '[profile p]\nkey = eseal-rsa.p12\npassword = %s\n' "$PASS" \
    >"$PKI/pass.conf"
chmod 644 "$PKI/pass.conf"
run "$ESEAL" seal --config "$PKI/pass.conf" -o "$T/x.pdf" "$IN"
expect_rc 2 "a password in a file readable by others refused"
grep -qF -- "$PASS" "$T/.stderr" && fail "the password is printed"
assert_no_file "$T/x.pdf"
chmod 600 "$PKI/pass.conf"
KEYCERT=$PKI/eseal-rsa.pem
seal "$IN" "$T/prof-pass.pdf" --config "$PKI/pass.conf"
check_sealed "$IN" "$T/prof-pass.pdf" rsa sha256 0
printf '[profile p]\nkey = eseal-rsa.p12\npassword = wrong-%s\n' "$PASS" \
    >"$PKI/wrong.conf"
chmod 600 "$PKI/wrong.conf"
run "$ESEAL" seal --config "$PKI/wrong.conf" -o "$T/x.pdf" "$IN"
expect_rc 2 "a wrong password in the configuration"
grep -qF -- "$PASS" "$T/.stderr" && fail "the password is printed"
ok "no password in the messages"

done_ok
