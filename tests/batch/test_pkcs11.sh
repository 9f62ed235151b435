#!/bin/bash
# Keys on a PKCS#11 token: a private SoftHSM2 token made here with RSA,
# ECDSA and login-per-signature keys that never leave it; sealing PDF and
# XML; the certificate from the token; PIN errors; pin-value refused;
# profiles; the p11-kit proxy and module-name; OpenSC's pkcs11-spy shows
# one C_Login per process and one C_Sign per document.
. "$(dirname "$0")/lib.sh"
need_tool softhsm2-util softhsm2
need_tool pkcs11-tool opensc
need_tool jq jq
need_tool pdfsig poppler-utils
need_tool xmlsec1 xmlsec1

MODULE=
for m in /usr/lib/softhsm/libsofthsm2.so \
    /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
    [ -r "$m" ] && MODULE=$m && break
done
[ -n "$MODULE" ] || fail "libsofthsm2.so not found: apt-get install softhsm2"
SPY=
for m in /usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so \
    /usr/lib/x86_64-linux-gnu/pkcs11-spy.so; do
    [ -r "$m" ] && SPY=$m && break
done
[ -n "$SPY" ] || fail "pkcs11-spy.so not found: apt-get install opensc-pkcs11"

make_pki
PIN=5917
TOKEN=eseal-test

# --- the token ---------------------------------------------------------------
say "a private SoftHSM2 token with keys that never leave it"
mkdir -p softhsm/tokens
cat >softhsm/softhsm2.conf <<EOF
directories.tokendir = $T/softhsm/tokens
objectstore.backend = file
log.level = ERROR
EOF
export SOFTHSM2_CONF=$T/softhsm/softhsm2.conf
must softhsm2-util --init-token --free --label "$TOKEN" --pin "$PIN" \
    --so-pin 12345678
p11() { pkcs11-tool --module "$MODULE" --login --pin "$PIN" "$@"; }
must p11 --keypairgen --key-type rsa:2048 --id 01 --label seal-rsa --usage-sign
must p11 --keypairgen --key-type EC:prime256v1 --id 02 --label seal-ec \
    --usage-sign
must p11 --keypairgen --key-type rsa:2048 --id 03 --label seal-aa \
    --usage-sign --always-auth
run p11 --list-objects --type privkey
[ "$RC" -eq 0 ] || fail "pkcs11-tool --list-objects"
cp "$T/.stdout" objects.txt
assert_eq "$(grep -c 'never extractable' objects.txt)" 3 \
    "the three private keys are marked never extractable"
assert_eq "$(grep -c 'Access:.*sensitive' objects.txt)" 3 \
    "and sensitive"
assert_grep 'always authenticate' objects.txt \
    "one key needs a login per signature"

# certificates for the token's public keys, from the demo issuing CA
cat >ext.cnf <<'EOF'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.3.6.1.4.1.99999.1.1
EOF
must openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout throwaway.key -subj "/C=JP/O=DEMO Token K.K./CN=DEMO token seal" \
    -out throwaway.csr
for id in 01 02 03; do
    must pkcs11-tool --module "$MODULE" --read-object --type pubkey \
        --id "$id" -o "pub$id.der"
    must openssl pkey -pubin -inform DER -in "pub$id.der" -out "pub$id.pem"
    must openssl x509 -req -in throwaway.csr -force_pubkey "pub$id.pem" \
        -CA "$PKI/issuing-ca.pem" -CAkey "$PKI/issuing-ca.key" \
        -set_serial "0x$id$id$id" -days 30 -extfile ext.cnf -out "cert$id.pem"
done
must openssl x509 -in cert01.pem -outform DER -out cert01.der
must p11 --write-object cert01.der --type cert --id 01 --label seal-rsa
ok "certificates made; the RSA one is on the token"
printf '%s\n' "$PIN" >pin
chmod 600 pin
URI="pkcs11:token=$TOKEN;object=seal-rsa?module-path=$MODULE"
ECURI="pkcs11:token=$TOKEN;object=seal-ec?module-path=$MODULE"

# --- sealing -------------------------------------------------------------------
say "an RSA key and its certificate from the token"
run "$ESEAL" seal --key "$URI" --pass-file pin --chain "$PKI/chain.pem" \
    -o rsa.pdf "$SMALL_PDF"
expect_rc 0 "seal with the token's RSA key"
pdfsig_check rsa.pdf 1
cms_verify rsa.pdf 1
verify_json rsa.pdf --trust "$PKI/trust.pem"
assert_json report.json .valid true "eseal verify: valid"
assert_json report.json .signatures[0].signer.serial 010101 \
    "signed with the token's certificate"

say "an ECDSA key with a certificate file, on XML"
run "$ESEAL" seal --key "$ECURI" --cert cert02.pem --pass-file pin \
    --chain "$PKI/chain.pem" -o ec.xml "$XML_SAMPLE"
expect_rc 0 "seal XML with the token's ECDSA key"
verify_json ec.xml --trust "$PKI/trust.pem"
assert_json report.json .valid true "eseal verify: valid"
run xmlsec1 --verify --enabled-key-data x509 \
    --trusted-pem "$PKI/root-ca.pem" --untrusted-pem "$PKI/issuing-ca.pem" \
    --id-attr:Id SignedProperties --id-attr:Id Signature ec.xml
[ "$RC" -eq 0 ] || fail "xmlsec1 --verify ec.xml"
ok "xmlsec1 verifies the XAdES signature"
run "$ESEAL" seal --key "$ECURI" --cert cert02.pem --pass-file pin \
    --chain "$PKI/chain.pem" -o ec.pdf "$SMALL_PDF"
expect_rc 0 "seal a PDF with the ECDSA key"
pdfsig_check ec.pdf 1

say "RSA-PSS on the token; the PIN from an environment variable"
SEAL_PIN=$PIN run "$ESEAL" seal --key "$URI" --pass-env SEAL_PIN --rsa-pss \
    --chain "$PKI/chain.pem" -o pss.pdf "$SMALL_PDF"
expect_rc 0 "seal with RSA-PSS"
verify_json pss.pdf --trust "$PKI/trust.pem"
assert_json report.json .valid true "the RSA-PSS seal verifies"

say "the p11-kit proxy (no module-path) and module-name"
run "$ESEAL" seal --key "pkcs11:token=$TOKEN;object=seal-rsa" --pass-file pin \
    -o proxy.pdf "$SMALL_PDF"
expect_rc 0 "the default module finds SoftHSM2 through p11-kit"
if [ -r /usr/share/p11-kit/modules/softhsm2.module ]; then
    run "$ESEAL" seal --key "pkcs11:token=$TOKEN;id=%01?module-name=softhsm2" \
        --pass-file pin -o byname.pdf "$SMALL_PDF"
    expect_rc 0 "module-name=softhsm2 from p11-kit's registry"
fi

# --- errors ---------------------------------------------------------------------
say "PIN and lookup errors"
printf '0000\n' >badpin
chmod 600 badpin
run "$ESEAL" seal --key "$URI" --pass-file badpin -o x.pdf "$SMALL_PDF"
expect_rc 2 "a wrong PIN"
assert_grep 'wrong PIN' "$T/.stderr" "says the PIN is wrong"
run "$ESEAL" seal --key "$URI" -o x.pdf "$SMALL_PDF"
expect_rc 2 "no PIN"
assert_grep 'needs a PIN' "$T/.stderr" "says a PIN is needed"
run "$ESEAL" seal --key "pkcs11:token=$TOKEN;object=seal-rsa;pin-value=$PIN?module-path=$MODULE" \
    -o x.pdf "$SMALL_PDF"
expect_rc 2 "pin-value in the URI"
assert_grep 'pin-value.*refused' "$T/.stderr" "says pin-value is refused"
assert_no_grep "$PIN" "$T/.stderr" "the PIN is not repeated"
run "$ESEAL" seal --key "pkcs11:token=$TOKEN;object=seal-rsa?pin-value=$PIN&module-path=$MODULE" \
    -o x.pdf "$SMALL_PDF"
expect_rc 2 "pin-value in the query"
run "$ESEAL" seal --key "pkcs11:token=nope?module-path=$MODULE" \
    --pass-file pin -o x.pdf "$SMALL_PDF"
expect_rc 2 "an unknown token"
assert_grep "no such token.*\"$TOKEN\"" "$T/.stderr" "names the tokens there are"
run "$ESEAL" seal --key "pkcs11:token=$TOKEN?module-path=$MODULE" \
    --pass-file pin -o x.pdf "$SMALL_PDF"
expect_rc 2 "several keys match"
assert_grep '3 private keys match' "$T/.stderr" "says how many match"
run "$ESEAL" seal --key "$ECURI" --pass-file pin -o x.pdf "$SMALL_PDF"
expect_rc 2 "no certificate for the ECDSA key on the token"
run "$ESEAL" seal --key "pkcs11:token=$TOKEN;object=seal-rsa?module-path=/nonexistent/p11.so" \
    --pass-file pin -o x.pdf "$SMALL_PDF"
expect_rc 2 "a module that does not exist"
assert_grep 'cannot load the PKCS#11 module /nonexistent/p11.so' \
    "$T/.stderr" "names the module"
[ -e x.pdf ] && fail "an output was written despite the errors"
ok "no output written by the failed runs"

# --- profiles ---------------------------------------------------------------------
say "a profile with a pkcs11: key"
cat >eseal.conf <<EOF
[profile token]
key = $URI
password_file = pin
chain = $PKI/chain.pem
EOF
chmod 600 eseal.conf
run "$ESEAL" seal --config eseal.conf -o profile.pdf "$SMALL_PDF"
expect_rc 0 "seal with the profile"
pdfsig_check profile.pdf 1
cat >bad.conf <<EOF
[profile token]
key = pkcs11:token=$TOKEN;object=seal-rsa;pin-value=$PIN
EOF
chmod 600 bad.conf
run "$ESEAL" seal --config bad.conf -o x.pdf "$SMALL_PDF"
expect_rc 2 "a profile whose URI holds pin-value"

# --- what the token sees ------------------------------------------------------------
say "pkcs11-spy: one login per process, one signature per document"
mkdir -p spydocs spyout
make_docs spydocs 24
SPYURI="pkcs11:token=$TOKEN;object=seal-rsa?module-path=$SPY"
# under AddressSanitizer: pkcs11-spy itself leaks at C_Finalize, and once
# it is unloaded its frames cannot be named in a suppression
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
PKCS11SPY=$MODULE PKCS11SPY_OUTPUT=$T/spy.log run "$ESEAL" seal \
    --key "$SPYURI" --pass-file pin --chain "$PKI/chain.pem" --jobs 4 \
    --out-dir spyout spydocs
expect_rc 0 "a batch of 24 through the spy, 4 jobs"
assert_eq "$(grep -cE '^[0-9]+: C_Login$' spy.log)" 1 "one C_Login"
assert_eq "$(grep -cE '^[0-9]+: C_Sign$' spy.log)" 24 "24 C_Sign"
assert_eq "$(grep -cE '^[0-9]+: C_SignInit$' spy.log)" 24 "24 C_SignInit"
sessions=$(grep -cE '^[0-9]+: C_OpenSession$' spy.log)
[ "$sessions" -ge 1 ] && [ "$sessions" -le 5 ] ||
    fail "$sessions sessions for 4 threads"
ok "$sessions PKCS#11 sessions for 4 threads"
assert_no_grep 'C_(GenerateKeyPair|CreateObject|DestroyObject)' spy.log \
    "nothing is created or destroyed on the token"
all_verify spyout "the batch sealed on the token"

say "a key that needs a login per signature"
rm -rf spyout && mkdir spyout
rm -f spy.log
PKCS11SPY=$MODULE PKCS11SPY_OUTPUT=$T/spy.log run "$ESEAL" seal \
    --key "pkcs11:token=$TOKEN;object=seal-aa?module-path=$SPY" \
    --cert cert03.pem --pass-file pin --chain "$PKI/chain.pem" --jobs 2 \
    --out-dir spyout spydocs
expect_rc 0 "a batch with a CKA_ALWAYS_AUTHENTICATE key"
# userType appears in C_Login calls only; counted over the whole log, as
# the lines of the two threads' calls interleave
assert_eq "$(grep -cE '^[0-9]+: C_Login$' spy.log)" 25 "25 C_Login"
assert_eq "$(grep -c 'userType = CKU_USER$' spy.log)" 1 "one user login"
assert_eq "$(grep -c 'userType = CKU_CONTEXT_SPECIFIC$' spy.log)" 24 \
    "one context-specific login per signature"
assert_eq "$(grep -cE '^[0-9]+: C_Sign$' spy.log)" 24 "24 C_Sign"
all_verify spyout "the batch sealed with the login-per-signature key"

done_ok
