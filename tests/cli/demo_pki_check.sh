#!/bin/bash
# Checks `eseal demo-pki` with the openssl command: certificates, extensions,
# identifiers, file modes, CRL, PKCS#12, the OCSP index (served by a real
# `openssl ocsp` responder) and the refusal to overwrite a PKI.
#
# usage: demo_pki_check.sh PATH/TO/eseal
set -u

ESEAL=${1:?usage: demo_pki_check.sh PATH/TO/eseal}
case $ESEAL in
*/*) ESEAL=$(cd "$(dirname "$ESEAL")" && pwd)/$(basename "$ESEAL") ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
OIDS="$HERE/../../core/oids.h"

if ! command -v openssl >/dev/null 2>&1; then
    echo "FAIL: openssl is needed (apt-get install openssl)" >&2
    exit 1
fi

TMP=$(mktemp -d)
RESPONDER=
cleanup() {
    if [ -n "$RESPONDER" ]; then
        kill "$RESPONDER" 2>/dev/null
        wait "$RESPONDER" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

failures=0
ok() { echo "ok   - $1"; }
fail() { echo "FAIL - $1"; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() {
    local what=$1
    shift
    if "$@" >"$TMP/out" 2>&1; then ok "$what"; else
        fail "$what"; sed 's/^/       /' "$TMP/out"; fi
}
# has DESCRIPTION FILE REGEX: passes when FILE has a line matching REGEX
has() {
    if grep -Eq -- "$3" "$2"; then ok "$1"; else
        fail "$1 (no /$3/ in:)"; sed 's/^/       /' "$2"; fi
}
oid() { sed -n "s/^#define $1 *\"\(.*\)\"/\1/p; /#define $1 *\\\\$/{n;s/^ *\"\(.*\)\"/\1/p}" "$OIDS"; }

# a free TCP port on 127.0.0.1 (nothing answers there now)
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

PORT=$(free_port) || { echo "FAIL: no free port" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
D="$TMP/pki"

echo "# eseal demo-pki --url-base $URL $D"
if "$ESEAL" demo-pki --url-base "$URL" "$D" >"$TMP/stdout" 2>"$TMP/stderr"
then ok "demo-pki exits 0"; else
    fail "demo-pki exits 0"; cat "$TMP/stderr"; exit 1; fi
has "the summary says it is demo material" "$TMP/stdout" "DEMO|[Dd]emo"
has "the summary lists the files" "$TMP/stdout" "eseal-rsa\.p12"
check "nothing on stderr" test ! -s "$TMP/stderr"

cd "$D" || exit 1

echo "# files and modes"
for f in root-ca.pem root-ca.key root-ca.cer issuing-ca.pem issuing-ca.key \
    issuing-ca.cer chain.pem trust.pem eseal-rsa.pem eseal-rsa.key \
    eseal-rsa.p12 eseal-rsa.p12.pass eseal-ec.pem eseal-ec.key \
    eseal-ec384.pem eseal-ec384.key tsa.pem tsa.key ocsp.pem ocsp.key \
    revoked.pem revoked.key issuing-ca.crl issuing-ca.crl.der root-ca.crl \
    root-ca.crl.der index.txt index.txt.attr README.txt; do
    check "$f exists and is not empty" test -s "$f"
done
for f in *.key eseal-rsa.p12 eseal-rsa.p12.pass; do
    check "$f has mode 600" test "$(stat -c %a "$f")" = 600
done
for f in *.key; do
    has "$f is marked as demo material" "$f" "^# .*demo material"
    has "$f is an unencrypted PKCS#8 key" "$f" "^-----BEGIN PRIVATE KEY-----"
done
has "README.txt says demo material" README.txt "demo material"
has "index.txt.attr allows repeated subjects" index.txt.attr \
    "^unique_subject = no$"

echo "# chains"
for c in eseal-rsa eseal-ec eseal-ec384 tsa ocsp revoked; do
    check "$c.pem chains to trust.pem" \
        openssl verify -CAfile trust.pem -untrusted chain.pem "$c.pem"
    check "$c.key matches $c.pem" cmp \
        <(openssl x509 -in "$c.pem" -noout -pubkey) \
        <(openssl pkey -in "$c.key" -pubout)
    check "$c.pem is issued by the issuing CA" test \
        "$(openssl x509 -in "$c.pem" -noout -issuer)" = \
        "$(openssl x509 -in issuing-ca.pem -noout -subject |
            sed 's/^subject/issuer/')"
done
check "issuing-ca.pem chains to trust.pem" \
    openssl verify -CAfile trust.pem issuing-ca.pem
check "root-ca.key matches root-ca.pem" cmp \
    <(openssl x509 -in root-ca.pem -noout -pubkey) \
    <(openssl pkey -in root-ca.key -pubout)
check "chain.pem holds the issuing CA then the root" test \
    "$(openssl crl2pkcs7 -nocrl -certfile chain.pem |
        openssl pkcs7 -print_certs -noout | grep '^subject' |
        sed 's/.*CN *= *//' | tr '\n' '|')" = \
    "eseal Demo Issuing CA (DEMO)|eseal Demo Root CA (DEMO)|"
check "trust.pem is the root only" cmp \
    <(openssl x509 -in trust.pem -outform DER) root-ca.cer
check "issuing-ca.cer is the DER of issuing-ca.pem" cmp \
    <(openssl x509 -in issuing-ca.pem -outform DER) issuing-ca.cer
check "trust.pem holds one certificate" \
    test "$(grep -c 'BEGIN CERTIFICATE' trust.pem)" = 1

echo "# every certificate says DEMO"
for c in root-ca issuing-ca eseal-rsa eseal-ec eseal-ec384 tsa ocsp revoked
do
    openssl x509 -in "$c.pem" -noout -subject -nameopt RFC2253 >"$TMP/subj"
    has "$c.pem subject shows DEMO" "$TMP/subj" "DEMO"
done

echo "# CA certificates"
openssl x509 -in root-ca.pem -noout -text >"$TMP/root"
has "root: basicConstraints critical" "$TMP/root" \
    "Basic Constraints: critical"
has "root: CA:TRUE" "$TMP/root" "CA:TRUE$"
has "root: keyCertSign + cRLSign" "$TMP/root" "^ *Certificate Sign, CRL Sign$"
has "root: subject key identifier" "$TMP/root" "Subject Key Identifier"
check "root: self-signed" test \
    "$(openssl x509 -in root-ca.pem -noout -subject | cut -d= -f2-)" = \
    "$(openssl x509 -in root-ca.pem -noout -issuer | cut -d= -f2-)"
openssl x509 -in issuing-ca.pem -noout -text >"$TMP/ca"
has "issuing CA: pathlen 0" "$TMP/ca" "CA:TRUE, pathlen:0"
has "issuing CA: CRL DP at the URL base" "$TMP/ca" \
    "URI:$URL/root-ca\.crl"
has "issuing CA: caIssuers at the URL base" "$TMP/ca" \
    "CA Issuers - URI:$URL/root-ca\.cer"
has "issuing CA: authority key identifier" "$TMP/ca" \
    "Authority Key Identifier"

echo "# e-Seal certificates"
CA_POLICY=$(oid ESEAL_OID_DEMO_CA_POLICY)
LEVEL2=$(oid ESEAL_OID_DEMO_ESEAL_LEVEL2)
TSA_POLICY=$(oid ESEAL_OID_DEMO_TSA_POLICY)
check "policy OIDs read from core/oids.h" \
    test -n "$CA_POLICY" -a -n "$LEVEL2" -a -n "$TSA_POLICY"

# Corporate Number: check digit = 9 - (sum of base digits x 1,2,1,2...
# from the right) mod 9.
corporate_ok() {
    local n=$1 sum=0 w=1 i
    [[ $n =~ ^[1-9][0-9]{12}$ ]] || return 1
    for ((i = 12; i >= 1; i--)); do
        sum=$((sum + ${n:i:1} * w))
        w=$((3 - w))
    done
    [ "${n:0:1}" = $((9 - sum % 9)) ]
}
# LEI: ISO 7064 MOD 97-10 over the 20 characters (A=10 ... Z=35) is 1.
lei_ok() {
    local s=$1 r=0 i c v
    [[ $s =~ ^[0-9A-Z]{18}[0-9]{2}$ ]] || return 1
    for ((i = 0; i < 20; i++)); do
        c=${s:i:1}
        if [[ $c =~ [0-9] ]]; then r=$(((r * 10 + c) % 97)); else
            v=$(($(printf '%d' "'$c") - 55)); r=$(((r * 100 + v) % 97)); fi
    done
    [ "$r" = 1 ]
}
check "self-test: 7000012050002 is a valid Corporate Number" \
    corporate_ok 7000012050002
check "self-test: 7000012050003 is not" bash -c \
    "$(declare -f corporate_ok); ! corporate_ok 7000012050003"
check "self-test: 5493001KJTIIGC8Y1R12 is a valid LEI" \
    lei_ok 5493001KJTIIGC8Y1R12

for c in eseal-rsa eseal-ec eseal-ec384 revoked; do
    openssl x509 -in "$c.pem" -noout -text >"$TMP/t"
    openssl x509 -in "$c.pem" -noout -subject -nameopt RFC2253 >"$TMP/s"
    has "$c: C=JP" "$TMP/s" "(^subject=|,)C=JP$"
    has "$c: O names a demo company" "$TMP/s" ",O=[^,]*DEMO"
    has "$c: CN=eSeal DEMO" "$TMP/s" "^subject=CN=eSeal DEMO"
    ntr=$(grep -o 'organizationIdentifier=NTRJP-[0-9]*' "$TMP/s" | cut -d- -f2)
    lei=$(grep -o 'organizationIdentifier=LEIXG-[0-9A-Z]*' "$TMP/s" |
        cut -d- -f2)
    check "$c: NTRJP- Corporate Number $ntr has a valid check digit" \
        corporate_ok "$ntr"
    check "$c: LEIXG- $lei passes ISO 7064 MOD 97-10" lei_ok "$lei"
    has "$c: keyUsage critical" "$TMP/t" "Key Usage: critical"
    has "$c: digitalSignature + nonRepudiation" "$TMP/t" \
        "^ *Digital Signature, Non Repudiation$"
    has "$c: CA:FALSE" "$TMP/t" "CA:FALSE"
    has "$c: SKI" "$TMP/t" "Subject Key Identifier"
    has "$c: AKI" "$TMP/t" "Authority Key Identifier"
    has "$c: CA policy" "$TMP/t" "Policy: $CA_POLICY$"
    has "$c: e-Seal level 2 policy" "$TMP/t" "Policy: $LEVEL2$"
    has "$c: SAN names a department" "$TMP/t" "DirName:.*OU=Accounting"
    has "$c: CRL DP" "$TMP/t" "URI:$URL/issuing-ca\.crl"
    has "$c: AIA caIssuers" "$TMP/t" "CA Issuers - URI:$URL/issuing-ca\.cer$"
    has "$c: AIA OCSP" "$TMP/t" "OCSP - URI:$URL/ocsp$"
    openssl x509 -in "$c.pem" -outform DER |
        openssl asn1parse -inform DER >"$TMP/a"
    # LEI extension: a PrintableString (tag 0x13) of 20 characters
    lei_hex=$(printf '%s' "$lei" | od -An -tx1 | tr -d ' \n' |
        tr a-f A-F)
    has "$c: LEI extension 1.3.6.1.4.1.52266.1" "$TMP/a" \
        ":1\.3\.6\.1\.4\.1\.52266\.1$"
    has "$c: LEI extension holds PrintableString $lei" "$TMP/a" \
        "HEX DUMP\]:1314$lei_hex$"
    # QCStatements: SEQ { SEQ { 0.4.0.1862.1.6, SEQ { 0.4.0.1862.1.6.2 } } }
    has "$c: QCStatements QcType eseal" "$TMP/a" \
        "HEX DUMP\]:30153013060604008E4601063009060704008E46010602$"
    openssl x509 -in "$c.pem" -noout -startdate -enddate >"$TMP/d"
    nb=$(date -d "$(sed -n 's/^notBefore=//p' "$TMP/d")" +%s)
    na=$(date -d "$(sed -n 's/^notAfter=//p' "$TMP/d")" +%s)
    now=$(date +%s)
    check "$c: valid from about an hour ago" \
        test $((now - nb)) -ge 3000 -a $((now - nb)) -le 4000
    check "$c: valid for about two years" \
        test $(((na - now) / 86400)) -ge 728 -a $(((na - now) / 86400)) -le 731
done
check "eseal-rsa: RSA 2048" bash -c \
    "openssl x509 -in eseal-rsa.pem -noout -text | grep -q 'Public-Key: (2048 bit)'"
check "eseal-ec: P-256" bash -c \
    "openssl x509 -in eseal-ec.pem -noout -text | grep -q 'NIST CURVE: P-256'"
check "eseal-ec384: P-384" bash -c \
    "openssl x509 -in eseal-ec384.pem -noout -text | grep -q 'NIST CURVE: P-384'"
check "revoked: P-256" bash -c \
    "openssl x509 -in revoked.pem -noout -text | grep -q 'NIST CURVE: P-256'"
check "serial numbers are 16 bytes and positive" bash -c '
    for c in *.pem; do
        [ "$c" = chain.pem ] && continue
        s=$(openssl x509 -in "$c" -noout -serial | cut -d= -f2)
        [ ${#s} = 32 ] || exit 1
        case $s in [0-7]*) ;; *) exit 1 ;; esac
    done'

echo "# TSA and OCSP responder"
openssl x509 -in tsa.pem -noout -text >"$TMP/t"
has "tsa: extendedKeyUsage critical" "$TMP/t" \
    "Extended Key Usage: critical"
check "tsa: timeStamping is the only EKU" test \
    "$(grep -A1 'Extended Key Usage' "$TMP/t" | tail -1 | tr -d ' ')" = \
    "TimeStamping"
has "tsa: keyUsage digitalSignature" "$TMP/t" "^ *Digital Signature$"
has "tsa: TSA policy" "$TMP/t" "Policy: $TSA_POLICY$"
check "tsa: usable for timestamping (openssl verify -purpose)" \
    openssl verify -purpose timestampsign -CAfile trust.pem \
    -untrusted chain.pem tsa.pem
openssl x509 -in ocsp.pem -noout -text >"$TMP/t"
has "ocsp: OCSP Signing EKU" "$TMP/t" "OCSP Signing"
has "ocsp: id-pkix-ocsp-nocheck" "$TMP/t" "OCSP No Check"

echo "# CRL"
openssl crl -in issuing-ca.crl -noout -text >"$TMP/crl"
check "issuing-ca.crl.der is the DER of issuing-ca.crl" cmp \
    <(openssl crl -in issuing-ca.crl -outform DER) issuing-ca.crl.der
check "root-ca.crl.der is the DER of root-ca.crl" cmp \
    <(openssl crl -in root-ca.crl -outform DER) root-ca.crl.der
check "the CRL is signed by the issuing CA" \
    openssl crl -in issuing-ca.crl -noout -CAfile chain.pem
REVOKED_SERIAL=$(openssl x509 -in revoked.pem -noout -serial | cut -d= -f2)
has "the CRL lists revoked.pem" "$TMP/crl" "Serial Number: $REVOKED_SERIAL$"
check "the CRL lists only revoked.pem" \
    test "$(grep -c 'Serial Number:' "$TMP/crl")" = 1
nu=$(date -d "$(openssl crl -in issuing-ca.crl -noout -nextupdate |
    cut -d= -f2)" +%s)
check "the CRL's nextUpdate is seven days ahead" \
    test $(((nu - $(date +%s) + 3600) / 86400)) = 7
check "verify with the CRL: eseal-rsa.pem is good" openssl verify \
    -crl_check -CRLfile issuing-ca.crl -CAfile trust.pem \
    -untrusted chain.pem eseal-rsa.pem
check "verify with the CRL: revoked.pem is revoked" bash -c \
    "openssl verify -crl_check -CRLfile issuing-ca.crl -CAfile trust.pem \
        -untrusted chain.pem revoked.pem 2>&1 | grep -q 'certificate revoked'"
check "verify with both CRLs (crl_check_all)" openssl verify \
    -crl_check_all -CRLfile issuing-ca.crl -CRLfile root-ca.crl \
    -CAfile trust.pem -untrusted chain.pem eseal-ec.pem

echo "# PKCS#12"
check "eseal-rsa.p12 opens with the password file" openssl pkcs12 -info \
    -in eseal-rsa.p12 -passin file:eseal-rsa.p12.pass -noout
check "the password is random (not trivially short)" \
    test "$(head -1 eseal-rsa.p12.pass | tr -d '\n' | wc -c)" -ge 16
check "eseal-rsa.p12 holds the key of eseal-rsa.pem" cmp \
    <(openssl pkcs12 -in eseal-rsa.p12 -passin file:eseal-rsa.p12.pass \
        -nocerts -nodes | openssl pkey -pubout) \
    <(openssl x509 -in eseal-rsa.pem -noout -pubkey)
check "eseal-rsa.p12 holds the certificate and the chain (3 certs)" test \
    "$(openssl pkcs12 -in eseal-rsa.p12 -passin file:eseal-rsa.p12.pass \
        -nokeys | grep -c 'BEGIN CERTIFICATE')" = 3
check "eseal-rsa.p12 refuses a wrong password" bash -c \
    "! openssl pkcs12 -in eseal-rsa.p12 -passin pass:wrong -noout 2>/dev/null"

echo "# index.txt"
check "index.txt has one line per certificate the issuing CA issued" \
    test "$(wc -l <index.txt)" = 6
for c in eseal-rsa eseal-ec eseal-ec384 tsa ocsp; do
    s=$(openssl x509 -in "$c.pem" -noout -serial | cut -d= -f2)
    has "index.txt: $c valid" index.txt "^V	[0-9]{12}Z		$s	unknown	/"
done
has "index.txt: revoked.pem revoked" index.txt \
    "^R	[0-9]{12}Z	[0-9]{12}Z,keyCompromise	$REVOKED_SERIAL	unknown	/"

echo "# OCSP responder (openssl ocsp -index) on 127.0.0.1:$PORT"
openssl ocsp -index index.txt -CA issuing-ca.pem -rsigner ocsp.pem \
    -rkey ocsp.key -port "$PORT" -ignore_err >"$TMP/responder.log" 2>&1 &
RESPONDER=$!
ocsp_query() {
    local i
    for i in $(seq 1 50); do
        if openssl ocsp -issuer issuing-ca.pem -cert "$1" -url "$URL/ocsp" \
            -CAfile trust.pem -verify_other chain.pem >"$TMP/ocsp" 2>&1
        then return 0; fi
        grep -q 'Connection refused' "$TMP/ocsp" || return 1
        sleep 0.1
    done
    return 1
}
for c in eseal-rsa eseal-ec tsa revoked; do
    if ocsp_query "$c.pem"; then
        has "OCSP: the response for $c verifies" "$TMP/ocsp" \
            "^Response verify OK"
        if [ "$c" = revoked ]; then
            has "OCSP: revoked.pem is revoked" "$TMP/ocsp" \
                "^revoked\.pem: revoked$"
        else
            has "OCSP: $c.pem is good" "$TMP/ocsp" "^$c\.pem: good$"
        fi
    else
        fail "OCSP query for $c"; sed 's/^/       /' "$TMP/ocsp"
    fi
done

echo "# refusing to overwrite"
before=$(sha256sum root-ca.key)
"$ESEAL" demo-pki --url-base "$URL" "$D" >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "a second run into the same directory exits 2" test "$rc" = 2
has "it says why" "$TMP/stderr" "root-ca.key"
check "root-ca.key is unchanged" test "$(sha256sum root-ca.key)" = "$before"
"$ESEAL" demo-pki --url-base "ftp://x" "$TMP/other" >/dev/null 2>&1
check "a URL base that is not http(s) exits 2" test $? = 2
check "and writes nothing" test ! -e "$TMP/other"
"$ESEAL" demo-pki >/dev/null 2>&1
check "no directory: usage error (2)" test $? = 2

echo "# default URL base"
"$ESEAL" demo-pki "$TMP/default" >/dev/null 2>&1
check "demo-pki without --url-base exits 0" test $? = 0
openssl x509 -in "$TMP/default/eseal-ec.pem" -noout -text >"$TMP/t"
has "the default URL base is http://127.0.0.1:8080" "$TMP/t" \
    "OCSP - URI:http://127\.0\.0\.1:8080/ocsp$"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
