#!/bin/bash
# Bad input: not well-formed, external entities (never fetched), entity
# bombs, deep nesting, not XML, a DOCTYPE: a clear error, exit 1, no output.
. "$(dirname "$0")/lib.sh" || exit 1
make_pki
key_args rsa

refuse() {   # file message-regex what
    run "$ESEAL" seal "${KEYARGS[@]}" -o "$T/out.xml" "$1"
    expect_rc 1 "$3: seal"
    assert_no_file "$T/out.xml" "$3: no output"
    err | contains "$2" || fail "$3: message '$(err)' lacks /$2/"
    ok "$3: says /$2/"
    assert_eq "$(err | wc -l)" 1 "$3: one line on stderr"
    run "$ESEAL" verify "$1"
    expect_rc 1 "$3: verify"
}

B=$XSAMPLES/bad
refuse "$B/not-well-formed.xml" 'not well-formed' "not well-formed"
refuse "$B/external-entity.xml" 'external entities' "external entity"
refuse "$B/entity-bomb.xml" 'entit' "entity expansion bomb"
refuse "$B/deep.xml" 'depth|nested|limit' "deep nesting"
refuse "$B/not-xml.xml" 'unknown document format' "not XML"

say "an external entity is never fetched"
mkdir -p "$T/www"
echo '<secret>LEAKED</secret>' >"$T/www/secret.xml"
cat >"$T/xxe.xml" <<XXE
<?xml version="1.0"?>
<!DOCTYPE a [ <!ENTITY s SYSTEM "file://$T/www/secret.xml"> ]>
<a>&s;</a>
XXE
refuse "$T/xxe.xml" 'external entities' "file entity"
run "$ESEAL" seal "${KEYARGS[@]}" --format xml -o - "$T/xxe.xml"
out | contains LEAKED && fail "the entity's content appeared"
ok "the entity's content never appears"

say "a DOCTYPE with declarations is not sealed"
printf '<?xml version="1.0"?>\n<!DOCTYPE a [ <!ATTLIST a x CDATA "1"> ]>\n<a/>\n' \
    >"$T/attlist.xml"
refuse "$T/attlist.xml" 'DOCTYPE' "DOCTYPE with an ATTLIST"

say "--format xml on a PDF"
printf '%%PDF-1.4\n%%EOF\n' >"$T/x.pdf"
run "$ESEAL" seal "${KEYARGS[@]}" --format xml -o "$T/out.xml" "$T/x.pdf"
expect_rc 1 "a PDF given as XML"
assert_no_file "$T/out.xml" "no output for a PDF given as XML"

say "unknown options"
run "$ESEAL" seal "${KEYARGS[@]}" --placement sideways -o "$T/o.xml" \
    "$XSAMPLES/invoice-ubl.xml"
expect_rc 2 "unknown placement"
run "$ESEAL" seal "${KEYARGS[@]}" --placement ubl -o "$T/o.xml" \
    "$XSAMPLES/generic.xml"
expect_rc 1 "ubl placement on a document that is not UBL"
done_ok
