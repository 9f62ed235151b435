#!/bin/bash
# 200 ECDSA seals in a row (100 with P-256, 100 with P-384): ECDSA
# signatures vary in length from one run to the next, and every one of
# them must fit its placeholder and verify.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool openssl openssl
need_tool pdfsig poppler-utils
need_tool jq jq
need_tool python3 python3
make_pki
COUNT=${ESEAL_ECDSA_COUNT:-100}
IN=$T/in.pdf
cp "$(sample classic)" "$IN"
mkdir -p "$T/out"

for kind in ec ec384; do
    key_args "$kind"
    say "$COUNT seals with $kind"
    for ((i = 1; i <= COUNT; i++)); do
        o=$T/out/$kind-$i.pdf
        "$ESEAL" seal "${KEYARGS[@]}" -o "$o" "$IN" 2>"$T/.stderr" ||
            { RC=$?; LAST_CMD="eseal seal #$i ($kind)"; fail "seal #$i"; }
    done
    ok "$COUNT seals with $kind"
done

say "eseal verify of all $((2 * COUNT)) files in one call"
run "$ESEAL" verify --json --trust "$PKI/trust.pem" "$T"/out/*.pdf
expect_rc 0 "verify all"
cp "$T/.stdout" "$T/all.json"
assert_json "$T/all.json" 'length' "$((2 * COUNT))" "one report per file"
assert_json "$T/all.json" '[.[] | .valid and (.signatures | length == 1)
    and .signatures[0].integrity] | all' true "every report valid"

say "openssl cms -verify of every signature"
siglens=$T/siglens
: >"$siglens"
for o in "$T"/out/*.pdf; do
    extract_sig "$o" 1 "$T/s"
    openssl cms -verify -binary -inform DER -in "$T/s.der" \
        -content "$T/s.bin" -CAfile "$PKI/trust.pem" -purpose any \
        -out /dev/null 2>"$T/.stderr" ||
        { RC=$?; LAST_CMD="openssl cms -verify ($o)"; fail "$o"; }
    # the signature value is the last OCTET STRING of the SignerInfo
    openssl asn1parse -inform DER -in "$T/s.der" |
        awk '/OCTET STRING/ { l = $0 } END { print l }' |
        sed -E 's/.*l= *([0-9]+).*/\1/' >>"$siglens"
done
ok "openssl verified $((2 * COUNT)) signatures"
n=$(sort -u "$siglens" | wc -l)
say "signature value lengths seen: $(sort -n "$siglens" | uniq -c |
    tr -s ' ' | tr '\n' ';')"
[ "$n" -ge 2 ] || fail "all ECDSA signatures have the same length: the" \
    "run did not exercise the variable length"
ok "$n different signature lengths"

say "pdfsig on every tenth file"
i=0
for o in "$T"/out/*.pdf; do
    i=$((i + 1))
    [ $((i % 10)) -eq 0 ] && pdfsig_check "$o" 1 >/dev/null
done
ok "pdfsig checked $((i / 10)) files"

done_ok
