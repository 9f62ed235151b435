#!/usr/bin/env python3
"""Small raw PDF edits for eseal's integration tests.

  pdfedit.py page-content IN OUT PAGE TEXT
      appends an incremental update that gives page object PAGE a new
      content stream drawing TEXT (a change PAdES does not permit after a
      seal).  The page dictionary is copied from its last definition in IN.
  pdfedit.py flip IN OUT OFFSET
      copies IN with the byte at OFFSET changed (ASCII letters change case,
      digits go +1 mod 10, anything else is XORed with 0x01).
  pdfedit.py hexflip IN OUT OFFSET
      copies IN with the hex digit at OFFSET replaced by the next one.

The update uses a classic xref section whose /Prev is IN's startxref; it
works after both table and stream sections.
"""

import re
import sys


def last_startxref(data):
    pos = data.rindex(b"startxref")
    return int(data[pos + 9:].split()[0])


def page_content(data, page, text):
    pat = re.compile(rb"(?<![0-9])" + str(page).encode()
                     + rb"\s+0\s+obj\s*(<<.*?>>)\s*endobj", re.S)
    found = list(pat.finditer(data))
    if not found:
        sys.exit("pdfedit.py: page object %d not found as a top-level "
                 "object" % page)
    page_dict = found[-1].group(1)
    sizes = re.findall(rb"/Size\s+([0-9]+)", data)
    if not sizes:
        sys.exit("pdfedit.py: no /Size")
    size = int(sizes[-1])
    root = re.findall(rb"/Root\s+([0-9]+\s+[0-9]+\s+R)", data)[-1]
    new_num = size
    content = (b"BT /F1 14 Tf 72 700 Td (" + text.encode("ascii")
               + b") Tj ET\n")
    new_dict, count = re.subn(rb"/Contents\s+(\[[^\]]*\]|[0-9]+\s+[0-9]+\s+R)",
                              b"/Contents " + str(new_num).encode() + b" 0 R",
                              page_dict, count=1)
    if count != 1:
        sys.exit("pdfedit.py: page %d has no /Contents" % page)
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    off_content = len(out)
    out += (str(new_num).encode() + b" 0 obj\n<< /Length "
            + str(len(content)).encode() + b" >>\nstream\n" + content
            + b"\nendstream\nendobj\n")
    off_page = len(out)
    out += str(page).encode() + b" 0 obj\n" + new_dict + b"\nendobj\n"
    xref = len(out)
    entries = sorted([(page, off_page), (new_num, off_content)])
    out += b"xref\n"
    for num, off in entries:
        out += b"%d 1\n%010d 00000 n\r\n" % (num, off)
    out += (b"trailer\n<< /Size " + str(new_num + 1).encode() + b" /Root "
            + root + b" /Prev " + str(last_startxref(data)).encode()
            + b" >>\nstartxref\n" + str(xref).encode() + b"\n%%EOF\n")
    return bytes(out)


def flip(data, offset):
    out = bytearray(data)
    c = out[offset]
    if chr(c).isalpha():
        out[offset] = ord(chr(c).swapcase())
    elif chr(c).isdigit():
        out[offset] = ord(str((c - 48 + 1) % 10))
    else:
        out[offset] = c ^ 1
    return bytes(out)


def hexflip(data, offset):
    out = bytearray(data)
    value = int(chr(out[offset]), 16)
    out[offset] = ord("%X" % ((value + 1) % 16))
    return bytes(out)


def main(argv):
    if len(argv) == 6 and argv[1] == "page-content":
        data = open(argv[2], "rb").read()
        result = page_content(data, int(argv[4]), argv[5])
        out = argv[3]
    elif len(argv) == 5 and argv[1] in ("flip", "hexflip"):
        data = open(argv[2], "rb").read()
        edit = flip if argv[1] == "flip" else hexflip
        result = edit(data, int(argv[4]))
        out = argv[3]
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(out, "wb") as f:
        f.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
