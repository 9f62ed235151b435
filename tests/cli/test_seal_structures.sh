#!/bin/bash
# Seals every well-formed sample PDF with every key type and checks the
# result with independent tools (pdfsig, qpdf, openssl cms) and with
# eseal verify; then seals the sealed files again.
. "$(dirname "$0")/lib.sh" || exit 1
. "$TESTS_DIR/checks.sh" || exit 1
need_tool pdfsig poppler-utils
need_tool qpdf qpdf
need_tool openssl openssl
need_tool jq jq
need_tool python3 python3
make_pki

GOOD="classic version-1.2 version-1.4 version-1.7 version-2.0 trailing-bytes
hybrid xrefstream xrefstream-updated linearized updated-twice acroform-direct
acroform-indirect annots-indirect cairo gs pdfa"

for name in $GOOD; do
    assert_fixture "$name" "$(sample "$name")"
done

# seal_one NAME KIND DIGEST [extra seal options...]
seal_one() {
    local name=$1 kind=$2 digest=$3 src in o
    shift 3
    say "seal $name with $kind, $digest $*"
    src=$(sample "$name")
    in=$T/$name.pdf
    o=$T/$name.$kind.$digest.pdf
    cp "$src" "$in"
    key_args "$kind"
    seal "$in" "$o" "${KEYARGS[@]}" "$@"
    cmp -s "$src" "$in" || fail "eseal seal changed its input $in"
    ok "input unchanged"
    check_sealed "$in" "$o" "$kind" "$digest" 0
    LAST_OUT=$o
}

for name in $GOOD; do
    for kind in rsa rsa-pss ec ec384; do
        case $kind in ec384) digest=sha384 ;; *) digest=sha256 ;; esac
        seal_one "$name" "$kind" "$digest"
    done
done

# explicit digests
seal_one classic rsa sha384 --digest sha384
seal_one classic rsa sha512 --digest sha512
seal_one xrefstream rsa-pss sha512 --digest sha512
seal_one hybrid ec sha384 --digest sha384
seal_one linearized ec384 sha512 --digest sha512

# a sealed file sealed again: both seals verify, the first one sees
# permitted changes only
kinds=(ec rsa ec384 rsa-pss)
i=0
for name in $GOOD; do
    first=$T/$name.rsa.sha256.pdf
    second=$T/$name.resealed.pdf
    kind=${kinds[$((i % 4))]}
    i=$((i + 1))
    case $kind in ec384) digest=sha384 ;; *) digest=sha256 ;; esac
    say "seal the sealed $name again with $kind"
    key_args "$kind"
    seal "$first" "$second" "${KEYARGS[@]}"
    check_sealed "$first" "$second" "$kind" "$digest" 1
    cms_verify "$second" 1
done

done_ok
