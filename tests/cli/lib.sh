# Shared helpers of eseal's command-line integration tests (bash).
#
# A test sources this file first:  . "$(dirname "$0")/lib.sh"
# Environment (meson sets it, see meson.build; set it by hand otherwise):
#   ESEAL        path of the eseal executable
#   SOURCE_ROOT  the source tree (samples/pdf lives there)
#   TEST_TMPDIR  an empty-able scratch directory for this test (optional)
# Every check prints what it checks; the first failure prints what went
# wrong (the command, its exit status, its stderr) and exits 1.  A missing
# tool fails the test with the apt-get line that installs it: tests never
# pass silently.

set -u -o pipefail
export LC_ALL=C
umask 022

: "${ESEAL:?set ESEAL to the eseal executable}"
: "${SOURCE_ROOT:?set SOURCE_ROOT to the source tree}"
case $ESEAL in /*) ;; *) ESEAL=$PWD/$ESEAL ;; esac
case $SOURCE_ROOT in /*) ;; *) SOURCE_ROOT=$PWD/$SOURCE_ROOT ;; esac
SAMPLES=$SOURCE_ROOT/samples/pdf
TEST_NAME=$(basename "$0" .sh)
TESTS_DIR=$(cd "$(dirname "$0")" && pwd)

if [ -n "${TEST_TMPDIR:-}" ]; then
    T=$TEST_TMPDIR
    rm -rf "$T"
    mkdir -p "$T"
else
    T=$(mktemp -d "${TMPDIR:-/tmp}/eseal-$TEST_NAME.XXXXXX")
    trap 'rm -rf "$T"' EXIT
fi
cd "$T" || exit 1

CHECKS=0
# A command that does not exist (a typo, a helper not sourced) fails the
# test instead of being skipped over.
set -E
trap '[ $? -ne 127 ] || fail "a command was not found (see above)"' ERR

# ---- reporting ---------------------------------------------------------------

say() { printf '== %s\n' "$*"; }

fail() {
    printf 'FAIL [%s]: %s\n' "$TEST_NAME" "$*" >&2
    if [ -n "${LAST_CMD:-}" ]; then
        printf '  last command: %s\n  exit status: %s\n' "$LAST_CMD" \
            "${RC:-?}" >&2
        if [ -s "$T/.stderr" ]; then
            echo "  stderr:" >&2
            head -c 4000 "$T/.stderr" | sed 's/^/    /' >&2
        fi
        if [ -s "$T/.stdout" ] && grep -Iq . "$T/.stdout"; then
            echo "  stdout:" >&2
            head -c 4000 "$T/.stdout" | sed 's/^/    /' >&2
        fi
    fi
    exit 1
}

ok() { CHECKS=$((CHECKS + 1)); printf '   ok: %s\n' "$*"; }

# done_ok: the test passed; its scratch directory goes (a failed test
# keeps it for a look).
done_ok() {
    printf 'PASS [%s]: %d checks\n' "$TEST_NAME" "$CHECKS"
    cd / && rm -rf "$T"
    exit 0
}

# need_tool TOOL PACKAGE: fail unless TOOL is on PATH.
need_tool() {
    command -v "$1" >/dev/null 2>&1 ||
        fail "$1 not found: install $2: apt-get install $2"
}

# ---- running commands ----------------------------------------------------

# run CMD ARGS...: runs the command with stdout in $T/.stdout and stderr in
# $T/.stderr; its status in RC.  Never fails by itself.
run() {
    LAST_CMD="$*"
    "$@" >"$T/.stdout" 2>"$T/.stderr"
    RC=$?
    return 0
}

# run_in FILE CMD ARGS...: like run, with stdin from FILE.
run_in() {
    local input=$1
    shift
    LAST_CMD="$* < $input"
    "$@" <"$input" >"$T/.stdout" 2>"$T/.stderr"
    RC=$?
    return 0
}

out() { cat "$T/.stdout"; }
err() { cat "$T/.stderr"; }

# expect_rc N WHAT: the last run exited with N.
expect_rc() {
    [ "$RC" -eq "$1" ] || fail "$2: expected exit status $1, got $RC"
    ok "$2 (exit $1)"
}

# must CMD ARGS...: run and require exit 0.
must() {
    run "$@"
    [ "$RC" -eq 0 ] || fail "command failed: $*"
}

assert_eq() {
    [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
    ok "$3"
}

assert_file() { [ -f "$1" ] || fail "${2:-file $1 exists}: $1 missing"; }
assert_no_file() { [ ! -e "$1" ] || fail "${2:-no file $1}: $1 exists"; }

# assert_grep PATTERN FILE WHAT (extended regexp, binary-safe)
assert_grep() {
    grep -aqE -- "$1" "$2" || fail "$3: /$1/ not found in $2"
    ok "$3"
}

assert_no_grep() {
    if grep -aqE -- "$1" "$2"; then
        fail "$3: /$1/ found in $2: $(grep -aE -- "$1" "$2" | head -n 3)"
    fi
    ok "$3"
}

# contains REGEX: stdin matches the extended REGEX.  Reads all its input
# (grep -q would stop early and, under pipefail, fail the writer).
contains() { grep -aE -- "$1" >/dev/null; }

# ---- JSON ------------------------------------------------------------------

# jget FILE JQ-EXPR: prints jq -r's output, fails on a jq error.
jget() {
    local v
    v=$(jq -r "$2" "$1" 2>"$T/.jqerr") ||
        fail "jq '$2' on $1: $(cat "$T/.jqerr"); JSON: $(head -c 2000 "$1")"
    printf '%s' "$v"
}

# assert_json FILE JQ-EXPR EXPECTED WHAT
assert_json() {
    local v
    v=$(jget "$1" "$2")
    [ "$v" = "$3" ] ||
        fail "$4: $2 is '$v', expected '$3'; JSON: $(head -c 3000 "$1")"
    ok "$4"
}

# ---- demo PKI ----------------------------------------------------------------

# make_pki: writes the demo PKI once into $T/pki and sets PKI.
make_pki() {
    PKI=$T/pki
    [ -f "$PKI/root-ca.key" ] && return 0
    run "$ESEAL" demo-pki "$PKI"
    [ "$RC" -eq 0 ] || fail "eseal demo-pki $PKI"
    local f
    for f in trust.pem chain.pem issuing-ca.pem issuing-ca.key \
        eseal-rsa.pem eseal-rsa.key eseal-rsa.p12 eseal-rsa.p12.pass \
        eseal-ec.pem eseal-ec.key eseal-ec384.pem eseal-ec384.key; do
        assert_file "$PKI/$f" "demo-pki wrote $f"
    done
    ok "demo PKI in $PKI"
}

# key_args KIND: sets KEYARGS (an array) for KIND = rsa | rsa-pss | ec |
# ec384, and KEYCERT to the certificate's path.
key_args() {
    case $1 in
    rsa) KEYARGS=(--key "$PKI/eseal-rsa.key" --cert "$PKI/eseal-rsa.pem") ;;
    rsa-pss) KEYARGS=(--key "$PKI/eseal-rsa.key" --cert "$PKI/eseal-rsa.pem"
        --rsa-pss) ;;
    ec) KEYARGS=(--key "$PKI/eseal-ec.key" --cert "$PKI/eseal-ec.pem") ;;
    ec384) KEYARGS=(--key "$PKI/eseal-ec384.key"
        --cert "$PKI/eseal-ec384.pem") ;;
    *) fail "key_args: unknown key kind $1" ;;
    esac
    KEYARGS+=(--chain "$PKI/chain.pem")
    KEYCERT=${KEYARGS[3]}
}

# issue_cert NAME KEYTYPE KEYUSAGE START END: an e-Seal-shaped certificate
# from the demo issuing CA, made with the openssl CLI: $PKI/NAME.key (0600)
# and $PKI/NAME.pem.  KEYTYPE: rsa | ec; START/END: YYYYMMDDHHMMSSZ.
issue_cert() {
    local name=$1 ktype=$2 ku=$3 start=$4 end=$5 d=$T/ca-$1
    rm -rf "$d"
    mkdir -p "$d"
    : >"$d/index.txt"
    echo 1000 >"$d/serial"
    cat >"$d/ca.cnf" <<EOF
[ ca ]
default_ca = demo
[ demo ]
dir = $d
database = $d/index.txt
serial = $d/serial
new_certs_dir = $d
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
countryName = optional
organizationName = optional
organizationIdentifier = optional
commonName = supplied
[ ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,$ku
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.3.6.1.4.1.99999.1.1
EOF
    case $ktype in
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
        -out "$PKI/$name.key" 2>/dev/null ;;
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$PKI/$name.key" 2>/dev/null ;;
    esac || fail "issue_cert: genpkey $ktype"
    chmod 600 "$PKI/$name.key"
    run openssl req -new -key "$PKI/$name.key" -out "$d/req.pem" \
        -subj "/C=JP/O=DEMO Test Seal K.K./organizationIdentifier=NTRJP-1010401089234/CN=DEMO $name"
    [ "$RC" -eq 0 ] || fail "issue_cert: openssl req for $name"
    run openssl ca -batch -notext -config "$d/ca.cnf" -extensions ext \
        -cert "$PKI/issuing-ca.pem" -keyfile "$PKI/issuing-ca.key" \
        -startdate "$start" -enddate "$end" -in "$d/req.pem" \
        -out "$PKI/$name.pem"
    [ "$RC" -eq 0 ] || fail "issue_cert: openssl ca for $name"
}

# ---- PDF helpers -------------------------------------------------------------

MKPDF=$SAMPLES/mkpdf.py

# sample NAME: path of a committed sample, failing if it is missing.
sample() {
    [ -f "$SAMPLES/$1.pdf" ] || fail "sample $1.pdf missing in $SAMPLES"
    printf '%s' "$SAMPLES/$1.pdf"
}

# byteranges FILE: one line "a b c d" per /ByteRange, in file order.
byteranges() {
    grep -aoE '/ByteRange *\[ *[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ *\]' "$1" |
        sed -E 's/[^0-9]+/ /g; s/^ +//; s/ +$//'
}

# sig_count FILE
sig_count() { byteranges "$1" | wc -l; }

# extract_sig FILE N PREFIX: writes PREFIX.der (the CMS, padding cut off)
# and PREFIX.bin (the bytes the N-th /ByteRange covers, 1-based).
extract_sig() {
    local file=$1 n=$2 prefix=$3 a b c d size
    read -r a b c d <<<"$(byteranges "$file" | sed -n "${n}p")"
    [ -n "${d:-}" ] || fail "no /ByteRange #$n in $file"
    size=$(stat -c %s "$file")
    [ "$a" -eq 0 ] || fail "/ByteRange #$n of $file does not start at 0"
    [ $((c + d)) -le "$size" ] || fail "/ByteRange #$n runs past $file's end"
    { head -c "$b" "$file"
      tail -c +"$((c + 1))" "$file" | head -c "$d"; } >"$prefix.bin"
    tail -c +"$((b + 1))" "$file" | head -c "$((c - b))" >"$prefix.hex"
    [ "$(head -c 1 "$prefix.hex")" = "<" ] ||
        fail "/ByteRange #$n gap of $file does not start with '<'"
    [ "$(tail -c 1 "$prefix.hex")" = ">" ] ||
        fail "/ByteRange #$n gap of $file does not end with '>'"
    python3 - "$prefix.hex" "$prefix.der" <<'EOF' ||
import sys
hexs = open(sys.argv[1], "rb").read().strip()[1:-1].strip()
data = bytes.fromhex(hexs.decode("ascii"))


def tlv_end(pos, depth=0):
    """End offset of the BER element at pos (definite or indefinite)."""
    if depth > 64 or pos + 2 > len(data):
        raise ValueError("bad encoding")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        while data[pos] & 0x80:
            pos += 1
        pos += 1
    n = data[pos]
    pos += 1
    if n == 0x80:
        if not tag & 0x20:
            raise ValueError("indefinite primitive")
        while data[pos:pos + 2] != b"\0\0":
            pos = tlv_end(pos, depth + 1)
        return pos + 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[pos:pos + k], "big")
        pos += k
    return pos + n


# cut the zero padding: keep exactly the outer element
try:
    if not data or data[0] != 0x30:
        raise ValueError("not a SEQUENCE")
    total = tlv_end(0)
except (ValueError, IndexError) as e:
    sys.exit("/Contents is not a CMS: %s" % e)
if total > len(data) or any(data[total:]):
    sys.exit("the CMS (%d bytes) does not fit the /Contents" % total)
open(sys.argv[2], "wb").write(data[:total])
EOF
        fail "cannot decode /Contents #$n of $file"
}

# pdfsig_check FILE COUNT: Poppler sees COUNT signatures, all valid, the
# last covering the whole document.  The certificate line is not checked:
# Poppler 22.12's NSS check is broken (DESIGN.md); chains are checked with
# OpenSSL.
pdfsig_check() {
    local file=$1 count=$2 n valid
    run pdfsig -nocert "$file"
    [ "$RC" -eq 0 ] || fail "pdfsig $file"
    n=$(grep -c '^Signature #' "$T/.stdout")
    [ "$n" -eq "$count" ] ||
        fail "pdfsig sees $n signatures in $file, expected $count: $(out)"
    valid=$(grep -c 'Signature Validation: Signature is Valid' "$T/.stdout")
    [ "$valid" -eq "$count" ] ||
        fail "pdfsig: $valid of $count signatures valid in $file: $(out)"
    awk -v n="$count" '/^Signature #/ { s++ } s == n' "$T/.stdout" |
        contains 'Total document signed' ||
        fail "pdfsig: signature #$count of $file does not cover the" \
            "whole document: $(out)"
    ok "pdfsig: $count valid signature(s), the last covers $(basename "$file")"
}

# qpdf_ok FILE: qpdf --check exits 0 (3 = warnings counts as failure).
qpdf_ok() {
    qpdf --check "$1" >/dev/null 2>&1
}

# cms_verify FILE N: OpenSSL verifies the N-th signature against the demo
# trust anchor over the bytes its /ByteRange covers.
cms_verify() {
    local file=$1 n=$2 p=$T/sig$2
    extract_sig "$file" "$n" "$p"
    run openssl cms -verify -binary -inform DER -in "$p.der" \
        -content "$p.bin" -CAfile "$PKI/trust.pem" -purpose any \
        -out /dev/null
    [ "$RC" -eq 0 ] || fail "openssl cms -verify of signature #$n in $file"
    ok "openssl cms -verify: signature #$n of $(basename "$file")"
}

# cert_sha256 PEM: hex SHA-256 of the certificate's DER.
cert_sha256() {
    openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -r |
        cut -d' ' -f1
}

# subject_field PEM FIELD: one field of the subject (e.g. O,
# organizationIdentifier), as openssl prints it.
subject_field() {
    openssl x509 -in "$1" -noout -subject -nameopt sep_multiline,sname,utf8 |
        sed -n "s/^ *$2=//p" | head -n 1
}

# seal IN OUT ARGS...: eseal seal with ARGS, output OUT; requires exit 0.
seal() {
    local in=$1 o=$2
    shift 2
    run "$ESEAL" seal "$@" -o "$o" "$in"
    [ "$RC" -eq 0 ] || fail "eseal seal $in"
    assert_file "$o" "sealed output $o"
}

# verify_json FILE ARGS...: eseal verify --json into $T/report.json; the
# exit status is in RC.
verify_json() {
    local f=$1
    shift
    run "$ESEAL" verify --json "$@" "$f"
    cp "$T/.stdout" "$T/report.json"
    jq -e . "$T/report.json" >/dev/null 2>&1 ||
        fail "eseal verify --json $f printed no valid JSON"
}

# is_prefix SMALL BIG: SMALL is a byte prefix of BIG.
is_prefix() {
    local n
    n=$(stat -c %s "$1")
    cmp -s -n "$n" "$1" "$2"
}
