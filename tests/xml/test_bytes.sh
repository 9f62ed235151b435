#!/bin/bash
# The document outside the inserted bytes is kept exactly: encoding
# (UTF-8, Shift_JIS, ISO-8859-1), byte order mark, XML declaration,
# comments, white space, CRLF line ends, prefixes.
. "$(dirname "$0")/lib.sh" || exit 1
need_tool iconv libc-bin
make_pki
key_args rsa

check() {   # sample encoding placement
    local f=$1 enc=$2 pl=$3 o=$T/$1-$3.xml
    say "$f ($enc), placement $pl"
    xseal "$XSAMPLES/$f.xml" "$o" "${KEYARGS[@]}" --placement "$pl"
    spliced "$XSAMPLES/$f.xml" "$o" "$f/$pl"
    LC_ALL=C grep -q '[^[:print:][:space:]]' "$T/inserted" &&
        fail "$f/$pl: the inserted bytes are not all ASCII"
    ok "$f/$pl: the inserted bytes are ASCII (valid in $enc)"
    iconv -f "$enc" -t UTF-8 "$o" >/dev/null ||
        fail "$f/$pl: the output is not $enc any more"
    ok "$f/$pl: the output still decodes as $enc"
    assert_eq "$(head -c 60 "$o" | cmp -s - <(head -c 60 "$XSAMPLES/$f.xml") \
        && echo same)" same "$f/$pl: BOM and XML declaration untouched"
    expect_valid "$o" 1 "$f/$pl"
    xmlsec_ok "$o" "$f/$pl"
}

for pl in ubl enveloped; do
    check invoice-utf8 UTF-8 "$pl"
    check invoice-sjis SHIFT_JIS "$pl"
    check invoice-latin1 ISO-8859-1 "$pl"
    check invoice-bom UTF-8 "$pl"
    check invoice-crlf UTF-8 "$pl"
done
check generic UTF-8 enveloped

say "line ends follow the document"
o=$T/invoice-crlf-enveloped.xml
spliced "$XSAMPLES/invoice-crlf.xml" "$o" "crlf again"
n_lf=$(tr -cd '\n' <"$T/inserted" | wc -c)
n_cr=$(tr -cd '\r' <"$T/inserted" | wc -c)
[ "$n_lf" -gt 0 ] && [ "$n_lf" -eq "$n_cr" ] ||
    fail "CRLF document: $n_lf LF but $n_cr CR in the inserted bytes"
ok "CRLF document: the inserted lines end in CRLF ($n_lf)"
spliced "$XSAMPLES/invoice-utf8.xml" "$T/invoice-utf8-enveloped.xml" "lf"
n_cr=$(tr -cd '\r' <"$T/inserted" | wc -c)
assert_eq "$n_cr" 0 "LF document: no CR inserted"

say "Shift_JIS text survives and the seal covers it"
LC_ALL=C grep -aqF "$(printf '\x83\x5C\x95\x5C')" "$T/invoice-sjis-ubl.xml" ||
    fail "Shift_JIS bytes lost"
ok "Shift_JIS double-byte characters with a '\\' trail byte kept"
iconv -f SHIFT_JIS -t UTF-8 "$T/invoice-sjis-ubl.xml" >"$T/sjis-utf8.xml"
assert_grep '請求書' "$T/sjis-utf8.xml" "Japanese text readable"
done_ok
