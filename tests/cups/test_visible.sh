#!/bin/bash
# The visible seal (PDF adapter): the stamp is the appearance stream of the
# signature widget.  Poppler renders the sealed page: pixels change inside
# the stamp's rectangle and nowhere else; pdftotext reads the organization
# (Japanese included), its identifier and the date in the profile's time
# zone there; pdffonts shows an embedded subset; the seal stays valid.
# Also: images (PNG with alpha, RGB and grey JPEG), rotated pages, PDF/A
# colour spaces, fonts and errors, the size of the update.
. "$(dirname "$0")/../cli/lib.sh"
. "$TESTS_DIR/lib.sh"

for t in pdftoppm:poppler-utils pdftotext:poppler-utils pdffonts:poppler-utils \
    pdfinfo:poppler-utils pdfsig:poppler-utils qpdf:qpdf fix-qdf:qpdf jq:jq \
    python3:python3 bc:bc openssl:openssl; do
    need_tool "${t%%:*}" "${t#*:}"
done
IPAEX=/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf
DEJAVU=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
CFF=/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf
[ -f "$IPAEX" ] || fail "$IPAEX missing: apt-get install fonts-ipaexfont-gothic"
[ -f "$DEJAVU" ] || fail "$DEJAVU missing: apt-get install fonts-dejavu-core"
[ -f "$CFF" ] || fail "$CFF missing: apt-get install fonts-urw-base35"

make_pki
jp_cert
seal_png "$T/seal.png"
seal_jpeg "$T/seal.jpg" jpeg
seal_jpeg "$T/seal-gray.jpg" jpeggray
seal_jpeg "$T/seal-cmyk.jpg" jpegcmyk
LATIN_ORG=$(subject_field "$PKI/eseal-ec.pem" O)
LATIN_ID=$(subject_field "$PKI/eseal-ec.pem" organizationIdentifier)
[ -n "$LATIN_ORG" ] && [ -n "$LATIN_ID" ] || fail "demo certificate fields"

latin="key = $PKI/eseal-ec.key
certificate = $PKI/eseal-ec.pem
chain = $PKI/chain.pem"
jp="key = $PKI/jp.key
certificate = $PKI/jp.pem
chain = $PKI/chain.pem"
cat >"$T/eseal.conf" <<EOF
[profile invisible]
$latin

[profile latin]
$latin
visible = true
timezone = Asia/Tokyo

[profile jp]
$jp
visible = true
visible_page = 1
visible_rect = 300, 400, 220, 80
visible_image = seal.png
timezone = +09:00

[profile jpeg]
$latin
visible = true
visible_image = seal.jpg
timezone = UTC

[profile gray]
$latin
visible = true
visible_image = seal-gray.jpg

[profile cmykjpeg]
$latin
visible = true
visible_image = seal-cmyk.jpg

[profile dejavu]
$latin
visible = true
visible_font = $DEJAVU

[profile dejavu-jp]
$jp
visible = true
visible_font = $DEJAVU

[profile cff]
$latin
visible = true
visible_font = $CFF

[profile page9]
$latin
visible = true
visible_page = 9

[profile outside]
$latin
visible = true
visible_rect = 500,800,200,80
EOF
CONF=(--config "$T/eseal.conf")

# vseal PROFILE IN OUT: seals with a profile of the test configuration.
vseal() { seal "$2" "$3" "${CONF[@]}" --profile "$1"; }

# check_valid FILE: eseal verify, pdfsig and qpdf --check agree.
check_valid() {
    verify_json "$1" --offline --trust "$PKI/trust.pem"
    [ "$RC" -eq 0 ] || fail "eseal verify $1: $(cat "$T/report.json")"
    pdfsig_check "$1" "${2:-1}"
    qpdf_ok "$1" || fail "qpdf --check $1"
    ok "$(basename "$1"): eseal verify, pdfsig and qpdf --check pass"
}

# stamp_check IN OUT PAGE W H: renders PAGE of IN and OUT; the pixels
# differ inside the widget's rectangle (and enough of them), nowhere else.
# W H: the page as shown, in points.
stamp_check() {
    local in=$1 o=$2 page=$3 ph=$5 r x0 y0 x1 y1 d inside outside
    r=$(widget_rect "$o")
    read -r x0 y0 x1 y1 <<<"$r"
    [ -n "$y1" ] || fail "no /Rect on the widget of $o"
    render "$in" "$page" "$T/before"
    render "$o" "$page" "$T/after"
    d=$(pixel_diff "$T/before.pgm" "$T/after.pgm" "$x0" \
        "$(echo "$ph - $y1" | bc)" "$(echo "$x1 - $x0" | bc)" \
        "$(echo "$y1 - $y0" | bc)")
    read -r inside outside <<<"$d"
    [ "$outside" -eq 0 ] ||
        fail "$o page $page: $outside pixels changed outside the stamp [$r]"
    [ "$inside" -gt 200 ] ||
        fail "$o page $page: only $inside pixels changed inside [$r]"
    ok "$(basename "$o") page $page: $inside pixels changed, all inside [$r]"
}

# shown_date FILE ZONE: the sealing time (verify's signing_time) as the
# stamp shows it in ZONE.
shown_date() {
    local t
    verify_json "$1" --offline --trust "$PKI/trust.pem"
    t=$(jget "$T/report.json" '.signatures[-1].signing_time')
    TZ=$2 date -d "$t" '+%Y-%m-%d %H:%M:%S %:z'
}

# ---- default: last page, bottom right, Latin text --------------------------
say "default placement on the last page"
pages 3 "$T/three.pdf"
vseal invisible "$T/three.pdf" "$T/three-invisible.pdf"
vseal latin "$T/three.pdf" "$T/three-latin.pdf"
check_valid "$T/three-latin.pdf"
last=$(qpdf --show-pages "$T/three.pdf" | sed -n 's/^page 3: \([0-9]*\) 0 R/\1/p')
assert_eq "$(widget_page "$T/three-latin.pdf")" "$last 0 R" \
    "the widget is on the last page"
assert_eq "$(widget_rect "$T/three-latin.pdf")" "391.2 23.8 571.2 83.8" \
    "default stamp: 180x60 points at the bottom right of an A4 page"
read -r pw ph <<<"$(page_size "$T/three.pdf" 3)"
for p in 1 2; do
    render "$T/three.pdf" $p "$T/b$p"
    render "$T/three-latin.pdf" $p "$T/a$p"
    cmp -s "$T/b$p.pgm" "$T/a$p.pgm" || fail "page $p changed"
done
ok "pages 1 and 2 render exactly as before"
stamp_check "$T/three.pdf" "$T/three-latin.pdf" 3 "$pw" "$ph"
text_in "$T/three-latin.pdf" 3 391.2 23.8 180 60 >"$T/text"
assert_fgrep "$LATIN_ORG" "$T/text" "pdftotext in the stamp: the organization"
assert_grep "$LATIN_ID" "$T/text" "pdftotext in the stamp: the identifier"
assert_fgrep "$(shown_date "$T/three-latin.pdf" Asia/Tokyo)" "$T/text" \
    "pdftotext in the stamp: the sealing time in Asia/Tokyo (+09:00)"
text_in "$T/three-latin.pdf" 3 0 100 595 742 >"$T/text-rest"
assert_no_grep "$LATIN_ID" "$T/text-rest" "no stamp text outside the stamp"
run pdffonts "$T/three-latin.pdf"
out | grep -E '^[A-Z]{6}\+IPAexGothic +CID TrueType +Identity-H +yes +yes +yes' \
    >/dev/null || fail "pdffonts: no embedded IPAexGothic subset: $(out)"
ok "pdffonts: IPAexGothic embedded as a subset (CID TrueType, ToUnicode)"

# the size of what the stamp adds to the update
inv=$(stat -c %s "$T/three-invisible.pdf")
vis=$(stat -c %s "$T/three-latin.pdf")
extra=$((vis - inv))
[ "$extra" -lt 8192 ] ||
    fail "the Latin stamp adds $extra bytes to the update (bound: 8 KiB)"
ok "the Latin stamp adds $extra bytes (bound 8 KiB; font program subset)"
font_len=$(qpdf --json=2 --json-key=qpdf "$T/three-latin.pdf" | jq '[.qpdf[1][]
    | .stream?.dict // empty | select(.["/Length1"] != null)
    | .["/Length1"]] | max')
whole=$(stat -c %s "$IPAEX")
[ "$font_len" -lt $((whole / 100)) ] ||
    fail "the embedded font program is $font_len bytes of $whole"
ok "embedded font program: $font_len bytes (the whole font: $whole)"

# ---- Japanese name, PNG image, own rectangle on page 1 --------------------
say "Japanese organization, PNG seal image, rectangle on page 1"
vseal jp "$T/three.pdf" "$T/three-jp.pdf"
check_valid "$T/three-jp.pdf"
first=$(qpdf --show-pages "$T/three.pdf" | sed -n 's/^page 1: \([0-9]*\) 0 R/\1/p')
assert_eq "$(widget_page "$T/three-jp.pdf")" "$first 0 R" \
    "visible_page = 1 puts the widget on page 1"
assert_eq "$(widget_rect "$T/three-jp.pdf")" "300 400 520 480" \
    "visible_rect = 300,400,220,80"
stamp_check "$T/three.pdf" "$T/three-jp.pdf" 1 "$pw" "$ph"
text_in "$T/three-jp.pdf" 1 300 400 220 80 >"$T/text-jp"
assert_grep "$JP_ORG" "$T/text-jp" "pdftotext in the stamp: $JP_ORG"
assert_grep "$JP_ID" "$T/text-jp" "pdftotext in the stamp: $JP_ID"
assert_fgrep "$(shown_date "$T/three-jp.pdf" Asia/Tokyo)" "$T/text-jp" \
    "pdftotext in the stamp: the time at +09:00"
run pdffonts "$T/three-jp.pdf"
out | grep -E '^[A-Z]{6}\+IPAexGothic .* yes +yes +yes' >/dev/null ||
    fail "pdffonts: no IPAexGothic subset: $(out)"
ok "pdffonts: the Japanese text's font is an embedded subset"
extra=$(($(stat -c %s "$T/three-jp.pdf") - inv))
[ "$extra" -lt 20480 ] ||
    fail "the Japanese stamp with an image adds $extra bytes (bound 20 KiB)"
ok "the Japanese stamp with a 64x64 image adds $extra bytes (bound 20 KiB)"
# no transparency: the image's alpha is flattened, nothing soft-masked
tail -c +"$(($(stat -c %s "$T/three.pdf") + 1))" "$T/three-jp.pdf" \
    >"$T/update.bin"
assert_no_grep '/SMask|/CA |/ca |/BM |/Group' "$T/update.bin" \
    "the update holds no soft mask, alpha constant, blend mode or group"
assert_grep '/Subtype /Image .*/ColorSpace /DeviceRGB .*/FlateDecode' \
    "$T/update.bin" "the PNG became a Flate RGB image XObject"

# ---- a second seal on top: the first sees a permitted change -------------
say "a second (visible) seal on top of the first"
vseal latin "$T/three-jp.pdf" "$T/three-twice.pdf"
check_valid "$T/three-twice.pdf" 2
assert_json "$T/report.json" '.signatures[0].modifications_after' permitted \
    "the first seal sees the second stamp as a permitted change"

# ---- images ----------------------------------------------------------------
say "JPEG seal images"
vseal jpeg "$T/three.pdf" "$T/three-jpeg.pdf"
check_valid "$T/three-jpeg.pdf"
assert_grep '/ColorSpace /DeviceRGB .*/DCTDecode' "$T/three-jpeg.pdf" \
    "an RGB JPEG is embedded as it is (DCTDecode)"
assert_grep "$(stat -c %s "$T/seal.jpg")>>" "$T/three-jpeg.pdf" \
    "the JPEG stream is the file's length"
stamp_check "$T/three.pdf" "$T/three-jpeg.pdf" 3 "$pw" "$ph"
text_in "$T/three-jpeg.pdf" 3 391.2 23.8 180 60 >"$T/text"
assert_fgrep "$(shown_date "$T/three-jpeg.pdf" UTC)" "$T/text" \
    "timezone = UTC: the time shows +00:00"
vseal gray "$T/three.pdf" "$T/three-gray.pdf"
check_valid "$T/three-gray.pdf"
assert_grep '/ColorSpace /DeviceGray .*/DCTDecode' "$T/three-gray.pdf" \
    "a grey JPEG is embedded as it is"
run "$ESEAL" seal "${CONF[@]}" --profile cmykjpeg -o "$T/x.pdf" "$T/three.pdf"
expect_rc 2 "a CMYK JPEG is refused"
assert_grep 'CMYK JPEG images are not supported' "$T/.stderr" \
    "... with a message that says so"
assert_no_file "$T/x.pdf"

# ---- rotated pages: bottom right as shown, text upright -------------------
say "rotated pages"
for rot in 90 180 270; do
    qpdf --rotate=+$rot "$SAMPLES/classic.pdf" "$T/rot$rot.pdf" ||
        fail "qpdf --rotate"
    vseal latin "$T/rot$rot.pdf" "$T/rot$rot-sealed.pdf"
    check_valid "$T/rot$rot-sealed.pdf"
    # shown: A4 landscape for 90/270, portrait for 180
    if [ $rot = 180 ]; then sw=595; sh=842; m=23.8; else sw=842; sh=595; m=24; fi
    x=$(echo "$sw - $m - 180" | bc)
    render "$T/rot$rot.pdf" 1 "$T/before"
    render "$T/rot$rot-sealed.pdf" 1 "$T/after"
    read -r inside outside <<<"$(pixel_diff "$T/before.pgm" "$T/after.pgm" \
        "$x" "$(echo "$sh - $m - 60" | bc)" 180 60)"
    [ "$outside" -eq 0 ] && [ "$inside" -gt 200 ] ||
        fail "/Rotate $rot: $inside pixels changed inside, $outside outside"
    text_in "$T/rot$rot-sealed.pdf" 1 "$x" "$m" 180 60 "$sh" >"$T/text"
    assert_grep "$LATIN_ID" "$T/text" \
        "/Rotate $rot: stamp at the bottom right as shown, text reads upright"
done

# ---- PDF/A: the output intent's colour space ------------------------------
say "PDF/A inputs keep their output intent's colour space"
vseal jp "$SAMPLES/pdfa.pdf" "$T/pdfa-rgb.pdf"
check_valid "$T/pdfa-rgb.pdf"
qpdf --qdf --object-streams=disable "$SAMPLES/pdfa.pdf" "$T/pdfa.qdf" ||
    fail "qpdf --qdf"
# the profile's /N is an indirect 3: make it a CMYK (4) intent
python3 - "$T/pdfa.qdf" "$T/pdfa-cmyk.qdf" <<'EOF' || fail "CMYK intent"
import re, sys
data = open(sys.argv[1], "rb").read()
m = re.search(rb"/DestOutputProfile (\d+) 0 R", data)
prof = re.search(rb"\n%d 0 obj\n<<(.*?)>>" % int(m.group(1)), data, re.S)
n = re.search(rb"/N (\d+) 0 R", prof.group(1))
if n:
    data = re.sub(rb"(\n%d 0 obj\n)3(\n)" % int(n.group(1)), rb"\g<1>4\2",
                  data)
else:
    data = data.replace(prof.group(0), prof.group(0).replace(b"/N 3", b"/N 4"))
open(sys.argv[2], "wb").write(data)
EOF
fix-qdf "$T/pdfa-cmyk.qdf" >"$T/pdfa-cmyk.pdf" || fail "fix-qdf"
vseal jp "$T/pdfa-cmyk.pdf" "$T/pdfa-cmyk-sealed.pdf"
check_valid "$T/pdfa-cmyk-sealed.pdf"
qpdf --qdf --object-streams=disable "$T/pdfa-cmyk-sealed.pdf" \
    "$T/cmyk-out.qdf" || fail "qpdf --qdf of the sealed file"
assert_grep '^0 0 0 0 k$' "$T/cmyk-out.qdf" \
    "CMYK intent: the stamp paints in DeviceCMYK (white)"
assert_grep ' K$' "$T/cmyk-out.qdf" "CMYK intent: the frame strokes in CMYK"
assert_grep '/ColorSpace /DeviceCMYK' "$T/cmyk-out.qdf" \
    "CMYK intent: the PNG became a DeviceCMYK image"
assert_no_grep ' rg$| RG$' "$T/cmyk-out.qdf" \
    "CMYK intent: no DeviceRGB colour anywhere"

# ---- fonts -------------------------------------------------------------------
say "fonts"
vseal dejavu "$T/three.pdf" "$T/three-dejavu.pdf"
check_valid "$T/three-dejavu.pdf"
run pdffonts "$T/three-dejavu.pdf"
out | grep -E '^[A-Z]{6}\+DejaVuSans .* yes +yes +yes' >/dev/null ||
    fail "pdffonts: no DejaVuSans subset: $(out)"
ok "visible_font: a DejaVu Sans subset"
run "$ESEAL" seal "${CONF[@]}" --profile dejavu-jp -o "$T/x.pdf" \
    "$T/three.pdf"
expect_rc 2 "a font without the name's glyphs is refused"
assert_grep 'DejaVuSans.ttf has no glyph for U\+' "$T/.stderr" \
    "... naming the font and the character"
run "$ESEAL" seal "${CONF[@]}" --profile cff -o "$T/x.pdf" "$T/three.pdf"
expect_rc 2 "a CFF (.otf) font is refused"
assert_grep 'not a TrueType font' "$T/.stderr" "... with a message"
assert_no_file "$T/x.pdf"

# ---- placement errors ------------------------------------------------------
say "placement errors"
run "$ESEAL" seal "${CONF[@]}" --profile page9 -o "$T/x.pdf" "$T/three.pdf"
[ "$RC" -ne 0 ] || fail "page 9 of 3 sealed"
assert_grep 'page 9; the document has 3 pages' "$T/.stderr" \
    "visible_page beyond the last page is refused"
run "$ESEAL" seal "${CONF[@]}" --profile outside -o "$T/x.pdf" "$T/three.pdf"
[ "$RC" -ne 0 ] || fail "a rectangle outside the page sealed"
assert_grep 'does not fit the page' "$T/.stderr" \
    "a rectangle outside the page is refused"
assert_no_file "$T/x.pdf"

# ---- command-line options --------------------------------------------------
say "eseal seal --visible, --visible-page, --visible-rect, --visible-image"
key_args ec
seal "$T/three.pdf" "$T/cli-default.pdf" "${KEYARGS[@]}" --visible
check_valid "$T/cli-default.pdf"
assert_eq "$(widget_page "$T/cli-default.pdf")" "$last 0 R" \
    "--visible: the last page"
assert_eq "$(widget_rect "$T/cli-default.pdf")" "391.2 23.8 571.2 83.8" \
    "--visible: bottom right"
second=$(qpdf --show-pages "$T/three.pdf" | sed -n 's/^page 2: \([0-9]*\) 0 R/\1/p')
seal "$T/three.pdf" "$T/cli-rect.pdf" "${KEYARGS[@]}" --visible \
    --visible-page 2 --visible-rect 100.5,100,200,70 \
    --visible-image "$T/seal.jpg"
check_valid "$T/cli-rect.pdf"
assert_eq "$(widget_page "$T/cli-rect.pdf")" "$second 0 R" "--visible-page 2"
assert_eq "$(widget_rect "$T/cli-rect.pdf")" "100.5 100 300.5 170" \
    "--visible-rect 100.5,100,200,70"
read -r pw ph <<<"$(page_size "$T/three.pdf" 2)"
stamp_check "$T/three.pdf" "$T/cli-rect.pdf" 2 "$pw" "$ph"
assert_grep '/DCTDecode' "$T/cli-rect.pdf" "--visible-image: the JPEG"
seal "$T/three.pdf" "$T/cli-over.pdf" "${CONF[@]}" --profile latin \
    --visible-page 1
assert_eq "$(widget_page "$T/cli-over.pdf")" "$first 0 R" \
    "--visible-page overrides the profile's page"
seal "$T/three.pdf" "$T/cli-image.pdf" "${KEYARGS[@]}" \
    --visible-image "$T/seal.png"
assert_grep '/Subtype /Form' "$T/cli-image.pdf" \
    "--visible-image alone implies --visible"
for bad in "--visible-page 0:--visible-page takes a page number" \
    "--visible-page 2x:--visible-page takes a page number" \
    "--visible-rect 1,2,3:--visible-rect takes x,y,width,height" \
    "--visible-rect 1,2,0,4:--visible-rect takes x,y,width,height"; do
    # shellcheck disable=SC2086
    run "$ESEAL" seal "${KEYARGS[@]}" ${bad%%:*} -o "$T/x.pdf" "$T/three.pdf"
    expect_rc 2 "${bad%%:*} is a usage error"
    assert_grep "${bad#*:}" "$T/.stderr" "... saying '${bad#*:}'"
done
run "$ESEAL" seal "${KEYARGS[@]}" --visible-image "$T/missing.png" \
    -o "$T/x.pdf" "$T/three.pdf"
expect_rc 2 "a missing image"
assert_grep 'missing.png: cannot open the seal image' "$T/.stderr" \
    "... named in the message"
assert_no_file "$T/x.pdf"

# ---- configuration errors ----------------------------------------------------
say "configuration keys"
for bad in "timezone = Mars/Olympus:unknown time zone" \
    "visible_rect = 1,2,3:not x,y,width,height" \
    "visible_rect = 1,2,-3,4:not x,y,width,height" \
    "visible_page = 0:not a page number" \
    "visible = maybe:not true or false"; do
    printf '[profile p]\n%s\n%s\n' "$latin" "${bad%%:*}" >"$T/bad.conf"
    run "$ESEAL" seal --config "$T/bad.conf" -o "$T/x.pdf" "$T/three.pdf"
    expect_rc 2 "'${bad%%:*}' is refused"
    assert_grep "bad.conf:[0-9]+: \[profile p\] .*${bad#*:}" "$T/.stderr" \
        "... with the line and '${bad#*:}'"
done
printf '[profile p]\n%s\nvisible = yes\nvisible_page = last\n' "$latin" \
    >"$T/ok.conf"
seal "$T/three.pdf" "$T/x.pdf" --config "$T/ok.conf"
assert_eq "$(widget_page "$T/x.pdf")" "$last 0 R" "visible_page = last"

done_ok
