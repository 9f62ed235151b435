# Helpers of the XAdES integration tests (bash); builds on the command-line
# tests' library (tests/cli/lib.sh: run, expect_rc, assert_json, make_pki,
# key_args...).  Environment: ESEAL, SOURCE_ROOT, TEST_TMPDIR (see there).
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh" || exit 1

XSAMPLES=$SOURCE_ROOT/samples/xml
need_tool xmlsec1 xmlsec1
need_tool xmllint libxml2-utils
need_tool jq jq
need_tool openssl openssl

# xseal IN OUT ARGS...: seals IN into OUT with eseal; fails the test on error.
xseal() {
    local in=$1 out=$2
    shift 2
    run "$ESEAL" seal "$@" -o "$out" "$in"
    [ "$RC" -eq 0 ] || fail "eseal seal $* $in"
    assert_file "$out"
}

# xverify FILE [ARGS...]: eseal verify --json into $T/report.json.
xverify() {
    local f=$1
    shift
    run "$ESEAL" verify --json "$@" "$f"
    out >"$T/report.json"
}

# expect_valid FILE N WHAT: eseal verifies N seals, all valid XAdES B-B.
expect_valid() {
    xverify "$1" --trust "$PKI/trust.pem"
    expect_rc 0 "$3: eseal verify"
    assert_json "$T/report.json" '.format' xml "$3: format xml"
    assert_json "$T/report.json" '.signatures | length' "$2" "$3: $2 seal(s)"
    assert_json "$T/report.json" '[.signatures[] | select(.valid and
        .integrity and .chain_trusted and .kind == "xades" and
        .level == "B-B" and .covers_whole_document)] | length' "$2" \
        "$3: valid XAdES B-B over the whole document"
    assert_json "$T/report.json" '.signatures[0].signer.organization_identifier' \
        NTRJP-8999900000001 "$3: organizationIdentifier of the sealer"
}

# xmlsec_ok FILE WHAT [ID]: xmlsec1 verifies the signature (the first, or
# the one with that Id) with only the certificate in KeyInfo, chained to
# the demo root.
xmlsec_ok() {
    local node=()
    [ -n "${3:-}" ] && node=(--node-id "$3")
    run xmlsec1 --verify --enabled-key-data x509 \
        --trusted-pem "$PKI/root-ca.pem" --untrusted-pem "$PKI/issuing-ca.pem" \
        --id-attr:Id SignedProperties --id-attr:Id Signature "${node[@]}" "$1"
    expect_rc 0 "$2: xmlsec1 --verify"
}

xmlsec_fails() {
    run xmlsec1 --verify --enabled-key-data x509 \
        --trusted-pem "$PKI/root-ca.pem" --untrusted-pem "$PKI/issuing-ca.pem" \
        --id-attr:Id SignedProperties "$1"
    [ "$RC" -ne 0 ] || fail "$2: xmlsec1 accepted it"
    ok "$2: xmlsec1 rejects it"
}

# spliced IN OUT WHAT: OUT is IN with one run of bytes inserted: every byte
# of IN is kept, in order, around the inserted run.  Sets AT (offset) and
# INS (number of inserted bytes) and writes the run to $T/inserted.
spliced() {
    local in=$1 outf=$2 what=$3 insz outsz
    insz=$(stat -c %s "$in")
    outsz=$(stat -c %s "$outf")
    [ "$outsz" -gt "$insz" ] || fail "$what: output not larger than input"
    AT=$(cmp "$in" "$outf" 2>/dev/null |
        sed -n 's/.* \(byte\|char\) \([0-9]*\),.*/\2/p')
    [ -n "$AT" ] || fail "$what: output starts with the whole input"
    AT=$((AT - 1))
    INS=$((outsz - insz))
    cmp -s -n "$AT" "$in" "$outf" || fail "$what: bytes before the seal differ"
    cmp -s <(tail -c "+$((AT + 1))" "$in") <(tail -c "$((insz - AT))" "$outf") ||
        fail "$what: bytes after the seal differ"
    head -c "$((AT + INS))" "$outf" | tail -c "$INS" >"$T/inserted"
    ok "$what: input kept byte for byte around $INS inserted bytes at $AT"
}

# xpath FILE EXPR: xmllint's string value of an XPath 1.0 expression.
xpath() {
    xmllint --xpath "$2" "$1" 2>/dev/null
}
