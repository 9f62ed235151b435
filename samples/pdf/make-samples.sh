#!/bin/bash
# Regenerates the sample PDFs of eseal's integration tests.
#
# usage: samples/pdf/make-samples.sh [OUTDIR]     (default: this directory)
#
# Needs (Debian 12): python3 python3-cairo qpdf ghostscript.
# The raw-PDF samples (mkpdf.py) and the qpdf-made ones are byte-for-byte
# reproducible; cairo.pdf, gs.pdf and pdfa.pdf carry their tools' dates and
# font subsets and change with every run (the committed copies are the ones
# the tests were written against).  See README.md for what each file is.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
# python3-cairo lives in Debian's interpreter, not in a virtualenv's
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in qpdf gs; do
    command -v "$tool" >/dev/null || {
        echo "make-samples.sh: $tool missing: apt-get install" \
            "$([ "$tool" = gs ] && echo ghostscript || echo "$tool")" >&2
        exit 1
    }
done
"$PYTHON" -c 'import cairo' 2>/dev/null || {
    echo "make-samples.sh: python3-cairo missing for $PYTHON:" \
        "apt-get install python3-cairo" >&2
    exit 1
}

mkpdf() { "$PYTHON" "$here/mkpdf.py" "$@"; }

# 1. hand-written shapes
for name in $(mkpdf list); do
    mkpdf "$name" "$out/$name.pdf"
done

# 2. qpdf: cross-reference stream + object streams, linearized, encrypted
qpdf --static-id --object-streams=generate "$out/classic.pdf" \
    "$out/xrefstream.pdf"
mkpdf pages 3 "$tmp/pages-3.pdf"
qpdf --static-id --linearize "$tmp/pages-3.pdf" "$out/linearized.pdf"
# AES-256, user password "user", owner password "owner"
qpdf --static-id --static-aes-iv --encrypt user owner 256 -- \
    "$out/classic.pdf" "$out/encrypted.pdf"

# 3. python3-cairo
"$PYTHON" "$here/mkcairo.py" "$out/cairo.pdf"

# 4. Ghostscript: plain pdfwrite output and PDF/A-2b with an sRGB intent
gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite \
    -sOutputFile="$out/gs.pdf" "$out/classic.pdf"
icc=$(ls /usr/share/ghostscript/*/iccprofiles/default_rgb.icc 2>/dev/null |
    head -n 1)
[ -n "$icc" ] || { echo "make-samples.sh: no default_rgb.icc" >&2; exit 1; }
cat >"$tmp/pdfa_def.ps" <<PS
[ /Title (eseal sample: PDF/A-2b by Ghostscript) /DOCINFO pdfmark
[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
[{icc_PDFA} << /N 3 >> /PUT pdfmark
[{icc_PDFA} ($icc) (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
[{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1
  /DestOutputProfile {icc_PDFA} /OutputConditionIdentifier (sRGB) >>
  /PUT pdfmark
[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
PS
gs -q -dSAFER -dPDFA=2 -dPDFACompatibilityPolicy=1 -dBATCH -dNOPAUSE \
    -sColorConversionStrategy=RGB -sDEVICE=pdfwrite \
    --permit-file-read="$icc" -sOutputFile="$out/pdfa.pdf" \
    "$tmp/pdfa_def.ps" "$out/classic.pdf"

# every committed sample stays small
for f in "$out"/*.pdf; do
    size=$(stat -c %s "$f")
    if [ "$size" -ge 51200 ]; then
        echo "make-samples.sh: $f is $size bytes (limit 50 KB)" >&2
        exit 1
    fi
done
echo "make-samples.sh: wrote $(ls "$out"/*.pdf | wc -l) samples to $out"
