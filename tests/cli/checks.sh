# Checks shared by the sealing tests: fixture properties and the full
# inspection of a freshly sealed PDF.  Sourced after lib.sh.

# pdf_json FILE: qpdf's JSON (v2) of FILE into $T/qpdf.json.
pdf_json() {
    qpdf --json=2 --json-key=qpdf "$1" >"$T/qpdf.json" 2>/dev/null ||
        [ -s "$T/qpdf.json" ] || fail "qpdf --json $1"
}

# catalog_key FILE KEY: jq type of the catalog's KEY ("object", "string"
# for an indirect reference, "null").
catalog_key_type() {
    local root
    pdf_json "$1"
    root=$(jget "$T/qpdf.json" '.qpdf[1].trailer.value["/Root"]')
    jget "$T/qpdf.json" ".qpdf[1][\"obj:$root\"].value[\"$2\"] | type"
}

# ref_value FILE REF JQ-PATH: jq type of a path inside object REF.
ref_path_type() {
    pdf_json "$1"
    jget "$T/qpdf.json" ".qpdf[1][\"obj:$2\"].value$3 | type"
}

count_matches() { grep -aoE -- "$1" "$2" | wc -l; }

# assert_fixture NAME FILE: FILE has the property the sample NAME stands
# for; proves the fixture before a test relies on it.
assert_fixture() {
    local name=$1 f=$2 v root af
    case $name in
    classic | version-* | trailing-bytes | annots-indirect | \
        acroform-* | updated-twice | lazy-garbage | certified-p1 | cairo | \
        gs | pdfa)
        [ "$(count_matches '(^|[^a-z])xref([[:space:]]|$)' "$f")" -ge 1 ] ||
            fail "fixture $name: no classic xref table"
        if grep -aqE '/XRefStm|/Type */XRef' "$f"; then
            fail "fixture $name: has a cross-reference stream"
        fi
        ;;
    esac
    case $name in
    classic)
        v=$(head -c 8 "$f")
        [ "$v" = "%PDF-1.4" ] || fail "fixture classic: header $v" ;;
    version-*)
        v=$(head -c 8 "$f")
        [ "$v" = "%PDF-${name#version-}" ] ||
            fail "fixture $name: header is '$v'" ;;
    trailing-bytes)
        v=$(grep -aob '%%EOF' "$f" | tail -n 1 | cut -d: -f1)
        [ $(($(stat -c %s "$f") - v)) -gt 64 ] ||
            fail "fixture $name: no bytes after the last %%EOF" ;;
    hybrid)
        grep -aq '/XRefStm' "$f" || fail "fixture hybrid: no /XRefStm"
        grep -aqE '(^|[^a-z])xref([[:space:]]|$)' "$f" ||
            fail "fixture hybrid: no xref table"
        qpdf --show-xref "$f" | contains compressed ||
            fail "fixture hybrid: no compressed object" ;;
    xrefstream)
        grep -aqE '/Type */XRef' "$f" || fail "fixture $name: no xref stream"
        grep -aqE '/Type */ObjStm' "$f" || fail "fixture $name: no /ObjStm"
        if grep -aqE '(^|[^a-z])xref([[:space:]]|$)' "$f"; then
            fail "fixture $name: has an xref table"
        fi ;;
    xrefstream-updated)
        [ "$(count_matches '/Type */XRef' "$f")" -eq 2 ] ||
            fail "fixture $name: not two xref streams"
        grep -aq '/Prev' "$f" || fail "fixture $name: no /Prev"
        grep -aqE '/Type */ObjStm' "$f" || fail "fixture $name: no /ObjStm" ;;
    linearized)
        head -c 1024 "$f" | contains '/Linearized' ||
            fail "fixture linearized: no /Linearized dictionary"
        qpdf --check-linearization "$f" >/dev/null 2>&1 ||
            fail "fixture linearized: qpdf --check-linearization" ;;
    updated-twice)
        [ "$(count_matches '%%EOF' "$f")" -eq 3 ] ||
            fail "fixture $name: not three revisions"
        [ "$(count_matches '/Prev' "$f")" -eq 2 ] ||
            fail "fixture $name: not two /Prev" ;;
    acroform-direct)
        [ "$(catalog_key_type "$f" /AcroForm)" = object ] ||
            fail "fixture $name: /AcroForm not direct"
        root=$(jget "$T/qpdf.json" '.qpdf[1].trailer.value["/Root"]')
        [ "$(ref_path_type "$f" "$root" '["/AcroForm"]["/Fields"]')" = \
            array ] || fail "fixture $name: /Fields not a direct array" ;;
    acroform-indirect)
        [ "$(catalog_key_type "$f" /AcroForm)" = string ] ||
            fail "fixture $name: /AcroForm not indirect"
        root=$(jget "$T/qpdf.json" '.qpdf[1].trailer.value["/Root"]')
        af=$(jget "$T/qpdf.json" \
            ".qpdf[1][\"obj:$root\"].value[\"/AcroForm\"]")
        [ "$(ref_path_type "$f" "$af" '["/Fields"]')" = string ] ||
            fail "fixture $name: /Fields not an indirect array"
        grep -aq '/FT /Tx' "$f" || fail "fixture $name: no text field" ;;
    annots-indirect)
        grep -aqE '/Annots [0-9]+ 0 R' "$f" ||
            fail "fixture $name: no indirect /Annots" ;;
    lazy-garbage)
        grep -aq '/ESealTestJunk 5 0 R' "$f" ||
            fail "fixture $name: no reference to the garbage object"
        if qpdf --show-object=5 "$f" >/dev/null 2>&1; then
            fail "fixture $name: object 5 parses"
        fi ;;
    cairo)
        grep -aq 'cairo' "$f" || fail "fixture cairo: not made by cairo" ;;
    gs)
        grep -aq 'Ghostscript' "$f" || fail "fixture gs: not made by gs" ;;
    pdfa)
        grep -aq "pdfaid:part" "$f" || fail "fixture pdfa: no pdfaid" ;;
    certified-p1)
        grep -aq '/DocMDP' "$f" && grep -aq '/P 1 ' "$f" ||
            fail "fixture $name: no DocMDP P=1" ;;
    encrypted)
        qpdf --is-encrypted "$f" || fail "fixture $name: not encrypted" ;;
    *) fail "assert_fixture: unknown sample $name" ;;
    esac
    ok "fixture $name has its property"
}

# signed_attrs DER: the names of the signed attributes, one a line.
signed_attrs() {
    openssl cms -cmsout -print -inform DER -in "$1" |
        awk '/^ *signedAttrs:/ { f = 1; next }
             f && /^        [A-Za-z]/ { f = 0 }
             f && /^            object:/ { print $2 }'
}

# ess_cert_hash DER: "ALG HEX" of the signingCertificateV2 certHash.
ess_cert_hash() {
    openssl asn1parse -inform DER -in "$1" |
        awk '/:id-smime-aa-signingCertificateV2/ { f = 1; next }
             f && /OBJECT/ && /:sha(256|384|512)/ { sub(/.*:/, ""); alg = $0 }
             f && /OCTET STRING/ && /HEX DUMP/ {
                 sub(/.*\]:/, ""); print (alg ? alg : "sha256"), $0; exit }'
}

# check_cms DER CERT KEYKIND DIGEST: the CMS has exactly the B-B signed
# attributes, no signing time, an ESS certHash of CERT, the digest and
# signature algorithms asked for.
check_cms() {
    local der=$1 cert=$2 kind=$3 digest=$4 attrs a alg hash want print
    attrs=$(signed_attrs "$der" | sort | tr '\n' ' ')
    for a in contentType messageDigest id-smime-aa-signingCertificateV2; do
        case " $attrs " in *" $a "*) ;;
        *) fail "signed attribute $a missing (have: $attrs)" ;; esac
    done
    for a in $attrs; do
        case $a in
        contentType | messageDigest | id-smime-aa-signingCertificateV2 | \
            id-aa-CMSAlgorithmProtection | \
            id-smime-aa-CMSAlgorithmProtection | CMSAlgorithmProtection) ;;
        *) fail "unexpected signed attribute $a (have: $attrs)" ;;
        esac
    done
    ok "signed attributes: $attrs(no signingTime)"
    read -r alg hash <<<"$(ess_cert_hash "$der")"
    [ -n "${hash:-}" ] || fail "no ESS signingCertificateV2 certHash"
    want=$(openssl x509 -in "$cert" -outform DER | openssl dgst "-$alg" -r |
        cut -d' ' -f1)
    [ "${hash,,}" = "$want" ] ||
        fail "ESS certHash $hash is not the $alg of $cert ($want)"
    ok "ESS certHash = $alg of the signing certificate"
    print=$(openssl cms -cmsout -print -inform DER -in "$der")
    grep -A1 'digestAlgorithm:' <<<"$print" | contains "algorithm: $digest " ||
        fail "digest algorithm is not $digest: $(grep -A1 \
            'digestAlgorithm:' <<<"$print" | head -n 4)"
    ok "digest algorithm $digest"
    case $kind in
    rsa-pss) grep -A1 'signatureAlgorithm:' <<<"$print" |
        contains 'rsassaPss' || fail "signature algorithm is not RSASSA-PSS" ;;
    rsa) grep -A1 'signatureAlgorithm:' <<<"$print" |
        contains 'rsaEncryption|WithRSAEncryption' ||
        fail "signature algorithm is not RSA PKCS#1 v1.5" ;;
    ec | ec384) grep -A1 'signatureAlgorithm:' <<<"$print" |
        contains 'ecdsa-with-SHA' || fail "signature algorithm is not ECDSA" ;;
    esac
    ok "signature algorithm fits $kind"
}

# check_sealed IN OUT KIND DIGEST NBEFORE: everything the suite demands of
# OUT, sealed from IN with key KIND and DIGEST; IN had NBEFORE signatures.
check_sealed() {
    local in=$1 o=$2 kind=$3 digest=$4 nb=$5 n i org oid
    n=$((nb + 1))
    is_prefix "$in" "$o" || fail "$in is not a byte prefix of $o"
    ok "input is a byte prefix of the output"
    [ "$(sig_count "$o")" -eq "$n" ] ||
        fail "$o has $(sig_count "$o") /ByteRange, expected $n"
    pdfsig_check "$o" "$n"
    if qpdf_ok "$in"; then
        qpdf_ok "$o" || fail "qpdf --check fails on $o: $(qpdf --check \
            "$o" 2>&1 | grep -v '^checking' | head -n 5)"
        ok "qpdf --check passes on the output"
    fi
    cms_verify "$o" "$n"
    check_cms "$T/sig$n.der" "$KEYCERT" "$kind" "$digest"
    verify_json "$o" --trust "$PKI/trust.pem"
    [ "$RC" -eq 0 ] || fail "eseal verify of $o exits $RC: $(out)"
    local r=$T/report.json s=".signatures[$nb]"
    assert_json "$r" '.valid' true "verify: document valid"
    assert_json "$r" '.format' pdf "verify: format pdf"
    assert_json "$r" '.signatures | length' "$n" "verify: $n signature(s)"
    assert_json "$r" "$s.valid" true "verify: seal valid"
    assert_json "$r" "$s.integrity" true "verify: integrity"
    assert_json "$r" "$s.covers_whole_document" true "verify: covers all"
    assert_json "$r" "$s.modifications_after" none "verify: no changes after"
    assert_json "$r" "$s.kind" pades "verify: kind pades"
    assert_json "$r" "$s.level" B-B "verify: level B-B"
    assert_json "$r" "$s.chain_trusted" true "verify: chain trusted"
    org=$(subject_field "$KEYCERT" O)
    oid=$(subject_field "$KEYCERT" organizationIdentifier)
    [ -n "$org" ] && [ -n "$oid" ] ||
        fail "cannot read O and organizationIdentifier of $KEYCERT"
    assert_json "$r" "$s.signer.organization" "$org" "verify: organization"
    assert_json "$r" "$s.signer.organization_identifier" "$oid" \
        "verify: organization identifier"
    for ((i = 0; i < nb; i++)); do
        assert_json "$r" ".signatures[$i].integrity" true \
            "verify: earlier signature #$((i + 1)) intact"
        assert_json "$r" ".signatures[$i].modifications_after" permitted \
            "verify: earlier signature #$((i + 1)) sees permitted changes"
    done
    run "$ESEAL" verify --trust "$PKI/trust.pem" "$o"
    [ "$RC" -eq 0 ] || fail "eseal verify (text) of $o exits $RC"
    grep -qF -- "$org" "$T/.stdout" ||
        fail "eseal verify text output does not name '$org': $(out)"
    ok "verify text names the organization"
}
