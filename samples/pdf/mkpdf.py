#!/usr/bin/env python3
"""Writes the raw-PDF sample files of eseal's test suite.

Each sample stands for one PDF shape that the sealer must handle (or must
refuse).  Shapes that qpdf, Ghostscript or cairo produce are made by
make-samples.sh with those tools; this script writes the shapes no tool makes
on request: hybrid files, hand-made incremental updates, AcroForms with
direct and indirect /Fields, indirect /Annots, exact PDF versions, trailing
bytes, a garbage object, a fake DocMDP P=1 certification and damaged files.

Usage: mkpdf.py NAME OUT       write one named sample (see SAMPLES)
       mkpdf.py pages N OUT    write an N-page document (benchmarks, tests)
       mkpdf.py list           print the sample names

Output is deterministic: no clocks, no random numbers.
"""

import hashlib
import sys
import zlib

FIXED_DATE = b"D:20240401090000Z"


def pdf_str(text):
    """A PDF literal string for ASCII text."""
    out = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return ("(" + out + ")").encode("ascii")


def stream(dict_body, data, compress=False):
    """Object body of a stream; dict_body is the dictionary without << >>."""
    if compress:
        data = zlib.compress(data, 9)
        dict_body = dict_body + b" /Filter /FlateDecode"
    return (b"<< " + dict_body + b" /Length " + str(len(data)).encode()
            + b" >>\nstream\n" + data + b"\nendstream")


def page_content(lines, font=b"/F1"):
    """A content stream drawing text lines from the top of an A4 page."""
    ops = [b"BT", font + b" 14 Tf", b"72 770 Td", b"18 TL"]
    for line in lines:
        ops.append(pdf_str(line) + b" '")
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def file_id(name):
    digest = hashlib.md5(name.encode()).hexdigest().upper().encode()
    return b"[<" + digest + b"> <" + digest + b">]"


class Writer:
    """Appends objects to a PDF byte buffer and records their offsets."""

    def __init__(self, version, binary_comment=True):
        self.buf = bytearray(b"%PDF-" + version.encode() + b"\n")
        if binary_comment:
            self.buf += b"%\xe2\xe3\xcf\xd3\n"
        self.offsets = {}

    def obj(self, num, body, gen=0):
        self.offsets[num] = len(self.buf)
        self.buf += (str(num).encode() + b" " + str(gen).encode()
                     + b" obj\n" + body + b"\nendobj\n")

    def raw(self, data):
        self.buf += data

    def xref_table(self, trailer, entries=None, size=None, eol=b"\r\n"):
        """Writes a classic xref section and trailer; returns its offset.

        entries maps object number -> (offset, gen, 'n'|'f'); by default all
        objects written so far, with object 0 as the head of the free list.
        Consecutive numbers form one subsection each."""
        if entries is None:
            entries = {0: (0, 65535, "f")}
            for num, off in self.offsets.items():
                entries[num] = (off, 0, "n")
        nums = sorted(entries)
        if size is None:
            size = max(nums) + 1
        start = len(self.buf)
        self.buf += b"xref\n"
        i = 0
        while i < len(nums):
            j = i
            while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
                j += 1
            self.buf += ("%d %d\n" % (nums[i], j - i + 1)).encode()
            for num in nums[i:j + 1]:
                off, gen, kind = entries[num]
                self.buf += ("%010d %05d %s" % (off, gen, kind)).encode() + eol
            i = j + 1
        self.buf += (b"trailer\n<< /Size " + str(size).encode() + b" "
                     + trailer + b" >>\n")
        return start

    def startxref(self, offset):
        self.buf += b"startxref\n" + str(offset).encode() + b"\n%%EOF\n"

    def bytes(self):
        return bytes(self.buf)


def xref_stream_body(rows, size, extra, index=None):
    """Body of a /Type /XRef stream; rows are (type, field2, field3)."""
    data = bytearray()
    for kind, f2, f3 in rows:
        data += bytes([kind]) + f2.to_bytes(4, "big") + f3.to_bytes(2, "big")
    head = b"/Type /XRef /Size " + str(size).encode() + b" /W [1 4 2]"
    if index is not None:
        head += b" /Index [" + b" ".join(str(n).encode() for n in index) + b"]"
    return stream(head + b" " + extra, bytes(data), compress=True)


def object_stream_body(objs):
    """Body of an /ObjStm holding objs [(num, body)]."""
    header = bytearray()
    data = bytearray()
    for num, body in objs:
        header += ("%d %d " % (num, len(data))).encode()
        data += body + b"\n"
    header = bytes(header).rstrip() + b"\n"
    return stream(b"/Type /ObjStm /N " + str(len(objs)).encode()
                  + b" /First " + str(len(header)).encode(),
                  header + bytes(data), compress=True)


HELVETICA = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
             b" /Encoding /WinAnsiEncoding >>")


def info_dict(title):
    return (b"<< /Title " + pdf_str(title) + b" /Producer (eseal mkpdf.py)"
            b" /CreationDate (" + FIXED_DATE + b") >>")


def simple_doc(name, version="1.4", lines=None, info=True, catalog_extra=b"",
               page_extra=b"", extra_objs=(), pages=1):
    """Writes a plain document with a classic xref table.

    Objects: 1 catalog, 2 page tree, 3 font, 4 info (if info), then per page
    a page and a content stream starting at 10.  extra_objs are (num, body)
    with numbers >= 5 and < 10 or above the pages."""
    w = Writer(version)
    if lines is None:
        lines = ["eseal sample: " + name, "PDF " + version]
    page_nums = [10 + 2 * i for i in range(pages)]
    kids = b" ".join(str(n).encode() + b" 0 R" for n in page_nums)
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>")
    w.obj(2, b"<< /Type /Pages /Kids [" + kids + b"] /Count "
          + str(pages).encode() + b" >>")
    w.obj(3, HELVETICA)
    if info:
        w.obj(4, info_dict(name))
    for num, body in extra_objs:
        w.obj(num, body)
    for i, num in enumerate(page_nums):
        text = lines if i == 0 else ["page %d of %d" % (i + 1, pages)]
        w.obj(num, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
              b" /Resources << /Font << /F1 3 0 R >> >> /Contents "
              + str(num + 1).encode() + b" 0 R" + page_extra + b" >>")
        w.obj(num + 1, stream(b"", page_content(text), compress=pages > 1))
    trailer = b"/Root 1 0 R /ID " + file_id(name)
    if info:
        trailer += b" /Info 4 0 R"
    w.startxref(w.xref_table(trailer))
    return w


def sample_classic():
    return simple_doc("classic", "1.4").bytes()


def sample_version(version):
    def make():
        # PDF 2.0 deprecates the document information dictionary.
        return simple_doc("version-" + version, version,
                          info=not version.startswith("2")).bytes()
    return make


def sample_trailing():
    # Print servers and mail gateways append bytes after %%EOF (PJL
    # trailers, NUL padding); readers look for the last startxref.
    w = simple_doc("trailing-bytes", "1.4")
    w.raw(b"\r\n" + b"\x00" * 256
          + b"\x1b%-12345X@PJL EOJ NAME=\"eseal\"\r\n\x1b%-12345X")
    return w.bytes()


def sample_hybrid():
    """Classic table + /XRefStm: the font and info objects live in an
    object stream that only the hidden cross-reference stream lists; the
    table leaves them out (subsections 0-4 and 7-8)."""
    name = "hybrid"
    w = Writer("1.5")
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    w.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    w.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
          b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>")
    w.obj(4, stream(b"", page_content(["eseal sample: " + name,
                                       "table + /XRefStm, PDF 1.5"])))
    w.obj(7, object_stream_body([(5, HELVETICA), (6, info_dict(name))]))
    xrefstm_off = len(w.buf)
    # hidden stream: entries for 5 and 6 (type 2: in object stream 7)
    w.obj(8, xref_stream_body([(2, 7, 0), (2, 7, 1)], 9, b"", index=[5, 2]))
    entries = {0: (0, 65535, "f")}
    for num in (1, 2, 3, 4, 7, 8):
        entries[num] = (w.offsets[num], 0, "n")
    trailer = (b"/Root 1 0 R /Info 6 0 R /ID " + file_id(name)
               + b" /XRefStm " + str(xrefstm_off).encode())
    w.startxref(w.xref_table(trailer, entries, size=9))
    return w.bytes()


def append_update(data, objs, trailer, prev, size):
    """Appends an incremental update with a classic xref section."""
    w = Writer("x")
    w.buf = bytearray(data)
    w.offsets = {}
    for num, body in objs:
        w.obj(num, body)
    entries = {num: (w.offsets[num], 0, "n") for num, _ in objs}
    w.startxref(w.xref_table(trailer + b" /Prev " + str(prev).encode(),
                             entries, size=size))
    return w.bytes()


def last_startxref(data):
    pos = data.rindex(b"startxref")
    return int(data[pos + 9:].split()[0])


def sample_updated2():
    """Two incremental updates: the first rewrites the page content and
    the info dictionary, the second adds a second page."""
    base = simple_doc("updated-twice", "1.4",
                      lines=["eseal sample: updated-twice", "revision 1"])
    data = base.bytes()
    tid = b" /ID " + file_id("updated-twice")
    data = append_update(data, [
        (11, stream(b"", page_content(["eseal sample: updated-twice",
                                       "revision 2 (first update)"]))),
        (4, info_dict("updated-twice, revision 2")),
    ], b"/Root 1 0 R /Info 4 0 R" + tid, last_startxref(data), 12)
    data = append_update(data, [
        (2, b"<< /Type /Pages /Kids [10 0 R 12 0 R] /Count 2 >>"),
        (12, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
             b" /Resources << /Font << /F1 3 0 R >> >> /Contents 13 0 R >>"),
        (13, stream(b"", page_content(["page 2, added by the second update"]))),
    ], b"/Root 1 0 R /Info 4 0 R" + tid, last_startxref(data), 14)
    return data


def sample_xrefstream_updated():
    """Cross-reference streams all along: the original revision keeps its
    dictionaries in an object stream, and one incremental update (page 1
    gets new content) has its own cross-reference stream with /Prev."""
    name = "xrefstream-updated"
    tid = b" /ID " + file_id(name)
    w = Writer("1.5")
    w.obj(4, stream(b"", page_content(["eseal sample: " + name,
                                       "revision 1"]), compress=True))
    w.obj(7, object_stream_body([
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"),
        (5, HELVETICA),
        (6, info_dict(name)),
    ]))
    first = len(w.buf)
    rows = [(0, 0, 65535), (2, 7, 0), (2, 7, 1), (2, 7, 2),
            (1, w.offsets[4], 0), (2, 7, 3), (2, 7, 4), (1, w.offsets[7], 0),
            (1, first, 0)]
    w.obj(8, xref_stream_body(rows, 9, b"/Root 1 0 R /Info 6 0 R" + tid))
    w.startxref(first)
    # the update: page 3 and its new content 9 as top-level objects
    w.obj(9, stream(b"", page_content(["eseal sample: " + name,
                                       "revision 2 (xref stream update)"]),
                    compress=True))
    w.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
          b" /Resources << /Font << /F1 5 0 R >> >> /Contents 9 0 R >>")
    second = len(w.buf)
    rows = [(1, w.offsets[3], 0), (1, w.offsets[9], 0), (1, second, 0)]
    w.obj(10, xref_stream_body(rows, 11, b"/Root 1 0 R /Info 6 0 R" + tid
                               + b" /Prev " + str(first).encode(),
                               index=[3, 1, 9, 2]))
    w.startxref(second)
    return w.bytes()


def field_objs(first, page_num, names):
    """Text fields merged with their widgets, each with an appearance."""
    objs = []
    refs = []
    for i, (fname, value) in enumerate(names):
        num = first + 2 * i
        y = 600 - 40 * i
        ap = stream(b"/Type /XObject /Subtype /Form /BBox [0 0 200 20]"
                    b" /Resources << /Font << /Helv 3 0 R >> >>",
                    b"/Tx BMC\nBT /Helv 12 Tf 2 5 Td " + pdf_str(value)
                    + b" Tj ET\nEMC\n")
        objs.append((num, b"<< /Type /Annot /Subtype /Widget /FT /Tx /T "
                     + pdf_str(fname) + b" /V " + pdf_str(value)
                     + b" /DA (/Helv 12 Tf 0 g) /F 4 /Rect [72 "
                     + str(y).encode() + b" 272 " + str(y + 20).encode()
                     + b"] /P " + str(page_num).encode() + b" 0 R /AP << /N "
                     + str(num + 1).encode() + b" 0 R >> >>"))
        objs.append((num + 1, ap))
        refs.append(str(num).encode() + b" 0 R")
    return objs, b"[" + b" ".join(refs) + b"]"


FORM_FIELDS = [("invoice_no", "INV-2024-0001"), ("customer", "Example K.K.")]


def sample_acroform_direct():
    """/AcroForm direct in the catalog, /Fields and /Annots direct arrays."""
    objs, arr = field_objs(20, 10, FORM_FIELDS)
    w = simple_doc(
        "acroform-direct", "1.6",
        catalog_extra=b" /AcroForm << /Fields " + arr
        + b" /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 3 0 R >> >> >>",
        page_extra=b" /Annots " + arr, extra_objs=objs)
    return w.bytes()


def sample_acroform_indirect():
    """/AcroForm an indirect object whose /Fields is an indirect array;
    the page's /Annots is another indirect array."""
    objs, arr = field_objs(20, 10, FORM_FIELDS)
    objs = objs + [
        (5, b"<< /Fields 6 0 R /DA (/Helv 0 Tf 0 g)"
            b" /DR << /Font << /Helv 3 0 R >> >> >>"),
        (6, arr),
        (7, arr),
    ]
    w = simple_doc("acroform-indirect", "1.6",
                   catalog_extra=b" /AcroForm 5 0 R",
                   page_extra=b" /Annots 7 0 R", extra_objs=objs)
    return w.bytes()


def sample_annots_indirect():
    """A page whose /Annots is an indirect array (a link and a note)."""
    objs = [
        (5, b"[6 0 R 7 0 R]"),
        (6, b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720]"
            b" /Border [0 0 0] /A << /S /URI /URI (https://example.org/) >> >>"),
        (7, b"<< /Type /Annot /Subtype /Text /Rect [400 700 420 720]"
            b" /Contents (a note) /P 10 0 R >>"),
    ]
    return simple_doc("annots-indirect", "1.4", page_extra=b" /Annots 5 0 R",
                      extra_objs=objs).bytes()


def sample_lazy_garbage():
    """Object 5 (reachable only through a private catalog key) and object
    6 (unreferenced) are garbage; the path a seal reads never touches them."""
    w = simple_doc("lazy-garbage", "1.4",
                   catalog_extra=b" /ESealTestJunk 5 0 R")
    data = w.bytes()
    junk5 = (b"5 0 obj\n<< /Junk [ (unbalanced >> ] \xff\xfe\x00 <zz>"
             b" 99999 0 R endstream\nendobj\n")
    junk6 = b"\x00\x01garbage that is not an object at all ]]>>\n"
    # Insert the garbage before the xref table and rebuild the table with
    # entries pointing at it.
    pos = data.index(b"xref\n")
    body = data[:pos] + junk5 + junk6
    w2 = Writer("x")
    w2.buf = bytearray(body)
    entries = {0: (0, 65535, "f")}
    for num, off in w.offsets.items():
        entries[num] = (off, 0, "n")
    entries[5] = (pos, 0, "n")
    entries[6] = (pos + len(junk5), 0, "n")
    trailer = b"/Root 1 0 R /Info 4 0 R /ID " + file_id("lazy-garbage")
    w2.startxref(w2.xref_table(trailer, entries))
    return w2.bytes()


def sample_certified_p1():
    """Certified with DocMDP P=1 (no changes permitted).  The signature is
    fake (zeros) but the structure is complete: /Perms /DocMDP, a signature
    field, /Reference with the DocMDP transform, a correct /ByteRange."""
    contents_len = 8192
    placeholder_br = b"/ByteRange [0 0000000000 0000000000 0000000000]"
    sigdict = (b"<< /Type /Sig /Filter /Adobe.PPKLite"
               b" /SubFilter /ETSI.CAdES.detached " + placeholder_br
               + b" /Contents <" + b"0" * contents_len + b">"
               b" /M (" + FIXED_DATE + b")"
               b" /Reference [<< /Type /SigRef /TransformMethod /DocMDP"
               b" /TransformParams << /Type /TransformParams /P 1 /V /1.2 >>"
               b" /Data 1 0 R >>] >>")
    objs = [
        (5, sigdict),
        (6, b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Certification)"
            b" /V 5 0 R /Rect [0 0 0 0] /F 132 /P 10 0 R >>"),
    ]
    w = simple_doc("certified-p1", "1.7",
                   catalog_extra=b" /Perms << /DocMDP 5 0 R >>"
                   b" /AcroForm << /Fields [6 0 R] /SigFlags 3 >>",
                   page_extra=b" /Annots [6 0 R]", extra_objs=objs)
    data = bytearray(w.bytes())
    start = data.index(b"/Contents <") + len(b"/Contents ")
    end = start + contents_len + 2
    br = ("/ByteRange [0 %010d %010d %010d]"
          % (start, end, len(data) - end)).encode()
    assert len(br) == len(placeholder_br)
    pos = data.index(placeholder_br)
    data[pos:pos + len(br)] = br
    return bytes(data)


# ---- damaged files ---------------------------------------------------------

def sample_not_pdf():
    return (b"This is a plain text file that happens to be named .pdf.\n"
            b"It has no %PDF- header, no objects and no xref.\n")


def sample_truncated():
    data = simple_doc("truncated", "1.4").bytes()
    # cut in the middle of the page content stream: no xref, no trailer
    return data[:data.index(b"stream\n") + 20]


def sample_broken_xref():
    """Every in-use xref entry points 5 bytes past its object."""
    w = simple_doc("broken-xref", "1.4")
    data = w.bytes()
    pos = data.index(b"xref\n")
    w2 = Writer("x")
    w2.buf = bytearray(data[:pos])
    entries = {0: (0, 65535, "f")}
    for num, off in w.offsets.items():
        entries[num] = (off + 5, 0, "n")
    w2.startxref(w2.xref_table(b"/Root 1 0 R /Info 4 0 R /ID "
                               + file_id("broken-xref"), entries))
    return w2.bytes()


def sample_prev_loop():
    """Two updates whose /Prev chain loops: the last section's /Prev points
    at the middle section, whose /Prev points back at the last one."""
    data = simple_doc("prev-loop", "1.4").bytes()
    first = last_startxref(data)
    tid = b" /ID " + file_id("prev-loop")
    data = append_update(data, [(4, info_dict("prev-loop, update 1"))],
                         b"/Root 1 0 R /Info 4 0 R" + tid, first, 12)
    second = last_startxref(data)
    obj = b"4 0 obj\n" + info_dict("prev-loop, update 2") + b"\nendobj\n"
    # rewrite the middle section's /Prev (fixed width: the number may have
    # leading zeros) to point at the third section, which follows object 4
    old = b"/Prev " + str(first).encode()
    tail = data[second:]
    width = len(tail.replace(old, b"/Prev " + b"0" * 10, 1))
    third = second + width + len(obj)
    tail = tail.replace(old, b"/Prev " + (b"%010d" % third), 1)
    data = data[:second] + tail
    obj_off = len(data)
    data += obj
    assert len(data) == third
    data += (b"xref\n4 1\n" + (b"%010d 00000 n" % obj_off) + b"\r\n"
             + b"trailer\n<< /Size 12 /Root 1 0 R /Info 4 0 R" + tid
             + b" /Prev " + str(second).encode() + b" >>\n"
             + b"startxref\n" + str(third).encode() + b"\n%%EOF\n")
    return data


def sample_missing_catalog():
    """The trailer's /Root names object 9, which no xref section lists."""
    w = simple_doc("missing-catalog", "1.4")
    data = w.bytes()
    pos = data.index(b"trailer\n")
    tail = data[pos:].replace(b"/Root 1 0 R", b"/Root 9 0 R", 1)
    return data[:pos] + tail


def pages_doc(count):
    return simple_doc("pages-%d" % count, "1.4", pages=count).bytes()


SAMPLES = {
    "classic": sample_classic,
    "version-1.2": sample_version("1.2"),
    "version-1.4": sample_version("1.4"),
    "version-1.7": sample_version("1.7"),
    "version-2.0": sample_version("2.0"),
    "trailing-bytes": sample_trailing,
    "hybrid": sample_hybrid,
    "xrefstream-updated": sample_xrefstream_updated,
    "updated-twice": sample_updated2,
    "acroform-direct": sample_acroform_direct,
    "acroform-indirect": sample_acroform_indirect,
    "annots-indirect": sample_annots_indirect,
    "lazy-garbage": sample_lazy_garbage,
    "certified-p1": sample_certified_p1,
    "bad-not-pdf": sample_not_pdf,
    "bad-truncated": sample_truncated,
    "bad-xref-offsets": sample_broken_xref,
    "bad-prev-loop": sample_prev_loop,
    "bad-missing-catalog": sample_missing_catalog,
}


def main(argv):
    if len(argv) == 2 and argv[1] == "list":
        print("\n".join(SAMPLES))
        return 0
    if len(argv) == 4 and argv[1] == "pages":
        count = int(argv[2])
        if not 1 <= count <= 100000:
            print("mkpdf.py: page count out of range", file=sys.stderr)
            return 2
        data = pages_doc(count)
        out = argv[3]
    elif len(argv) == 3 and argv[1] in SAMPLES:
        data = SAMPLES[argv[1]]()
        out = argv[2]
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
