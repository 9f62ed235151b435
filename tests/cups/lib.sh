# Shared helpers of the CUPS and visible-seal tests (bash).  Sourced after
# tests/cli/lib.sh (running commands, assertions, the demo PKI).
#
# Environment (meson sets it, see meson.build):
#   ESEAL, SOURCE_ROOT, TEST_TMPDIR  as for tests/cli/lib.sh
#   ESEAL_FILTER   the eseal-pdf filter     (test_filter.sh, test_cupsd.sh)
#   ESEAL_BACKEND  the eseal-store backend  (idem)
#   ESEAL_LIBDIR   the directory of libeseal.so.0 (test_cupsd.sh)

CUPS_TESTS=$SOURCE_ROOT/tests/cups
PPD=$SOURCE_ROOT/cups-filter/eseal-sealed-pdf.ppd
JP_ORG='株式会社サンプル商事'
JP_ID='NTRJP-1010401089234'

# jp_cert: an e-Seal certificate with a Japanese organization name, from
# the demo issuing CA: $PKI/jp.key (0600) and $PKI/jp.pem.
jp_cert() {
    [ -f "$PKI/jp.pem" ] && return 0
    local d=$T/ca-jp
    mkdir -p "$d"
    cat >"$d/ext.cnf" <<'EOF'
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.3.6.1.4.1.99999.1.1
EOF
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$PKI/jp.key" 2>/dev/null || fail "jp_cert: genpkey"
    chmod 600 "$PKI/jp.key"
    run openssl req -new -utf8 -key "$PKI/jp.key" -out "$d/req.pem" \
        -subj "/C=JP/O=$JP_ORG/organizationIdentifier=$JP_ID/CN=サンプル商事 電子社印"
    [ "$RC" -eq 0 ] || fail "jp_cert: openssl req"
    run openssl x509 -req -in "$d/req.pem" -CA "$PKI/issuing-ca.pem" \
        -CAkey "$PKI/issuing-ca.key" -set_serial 0x4a50 -days 30 \
        -extfile "$d/ext.cnf" -extensions ext -out "$PKI/jp.pem"
    [ "$RC" -eq 0 ] || fail "jp_cert: openssl x509 -req"
}

# seal_png FILE: a 64x64 RGBA PNG (a red ring, transparent around it).
seal_png() {
    python3 - "$1" <<'EOF' || fail "seal_png"
import struct, sys, zlib
w = h = 64
rows = b""
for y in range(h):
    rows += b"\0"
    for x in range(w):
        d = ((x - 31.5) ** 2 + (y - 31.5) ** 2) ** 0.5
        a = 255 if 20 < d < 30 or (abs(x - y) < 3 and d < 20) else 0
        rows += bytes([200, 20, 20, a])
def chunk(t, d):
    return (struct.pack(">I", len(d)) + t + d
            + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
open(sys.argv[1], "wb").write(
    b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
EOF
}

# seal_jpeg FILE DEVICE: a 64x64 JPEG made by Ghostscript (DEVICE: jpeg,
# jpeggray or jpegcmyk).
seal_jpeg() {
    need_tool gs ghostscript
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE="$2" -g64x64 -r72 \
        -sOutputFile="$1" -c "0.8 0.1 0.1 setrgbcolor 32 32 26 0 360 arc \
        fill showpage" >/dev/null 2>&1 || fail "gs -sDEVICE=$2"
    [ -s "$1" ] || fail "gs wrote no $1"
}

# pages N OUT: an N-page PDF (samples/pdf/mkpdf.py).
pages() {
    python3 "$SAMPLES/mkpdf.py" pages "$1" "$2" >/dev/null ||
        fail "mkpdf.py pages $1"
}

# widget_rect FILE: "x0 y0 x1 y1" of the (last) signature widget, from
# qpdf's JSON.
widget_rect() {
    qpdf --json=2 --json-key=qpdf "$1" 2>/dev/null |
        jq -r '[.qpdf[1][] | .value? // empty
                | select(type == "object" and .["/FT"] == "/Sig"
                         and .["/Rect"] != null) | .["/Rect"]]
               | last | map(tostring) | join(" ")'
}

# widget_page FILE: the object number of the page the widget names (/P).
widget_page() {
    qpdf --json=2 --json-key=qpdf "$1" 2>/dev/null |
        jq -r '[.qpdf[1][] | .value? // empty
                | select(type == "object" and .["/FT"] == "/Sig")
                | .["/P"]] | last'
}

# render PDF PAGE PREFIX: PREFIX.pgm, page PAGE at 72 dpi in grey.
render() {
    rm -f "$3".pgm "$3"-*.pgm
    pdftoppm -r 72 -gray -f "$2" -l "$2" -singlefile "$1" "$3" ||
        fail "pdftoppm $1 page $2"
    [ -f "$3.pgm" ] || fail "pdftoppm wrote no $3.pgm"
}

# pixel_diff A.pgm B.pgm X Y W H: compares two renders of a page; the
# rectangle is in pixels from the top-left corner (1 pixel of slack for
# anti-aliasing).  Prints "inside outside" counts of differing pixels.
pixel_diff() {
    python3 - "$@" <<'EOF' || fail "pixel_diff $*"
import sys

def pgm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P5" and fields[3] == b"255", "not an 8-bit PGM"
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h]

wa, ha, a = pgm(sys.argv[1])
wb, hb, b = pgm(sys.argv[2])
if (wa, ha) != (wb, hb):
    sys.exit("the renders differ in size: %dx%d, %dx%d" % (wa, ha, wb, hb))
x, y, w, h = (float(v) for v in sys.argv[3:7])
inside = outside = 0
for row in range(ha):
    ra, rb = a[row * wa:(row + 1) * wa], b[row * wa:(row + 1) * wa]
    if ra == rb:
        continue
    for col in range(wa):
        if ra[col] == rb[col]:
            continue
        if x - 1 <= col <= x + w + 1 and y - 1 <= row <= y + h + 1:
            inside += 1
        else:
            outside += 1
print(inside, outside)
EOF
}

# page_size PDF PAGE: "width height" in points as the page is shown.
page_size() {
    pdfinfo -f "$2" -l "$2" "$1" 2>/dev/null |
        sed -n 's/^Page *[0-9]* size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 \2/p' |
        head -n 1
}

# text_in PDF PAGE X Y W H [PAGE_HEIGHT]: pdftotext of a rectangle given
# in points from the bottom-left corner of the page as shown (give the
# height as shown for a rotated page).
text_in() {
    local pdf=$1 page=$2 x=$3 y=$4 w=$5 h=$6 ph=${7:-} size top
    if [ -z "$ph" ]; then
        size=$(page_size "$pdf" "$page")
        ph=${size#* }
    fi
    top=$(echo "$ph - $y - $h" | bc)
    pdftotext -r 72 -f "$page" -l "$page" -x "${x%.*}" -y "${top%.*}" \
        -W "$(echo "$w + 1" | bc | cut -d. -f1)" \
        -H "$(echo "$h + 1" | bc | cut -d. -f1)" "$pdf" - 2>/dev/null
}

# assert_fgrep STRING FILE WHAT: FILE holds STRING (a fixed string).
assert_fgrep() {
    grep -aqF -- "$1" "$2" || fail "$3: '$1' not found in $2: $(head -c 600 "$2")"
    ok "$3"
}
