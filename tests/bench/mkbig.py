#!/usr/bin/env python3
"""Writes a valid PDF of about SIZE bytes for the benchmarks.

One page of text, and a file attachment (an /EmbeddedFile stream) of
incompressible bytes that makes up the size.  The attachment is written in
1 MiB blocks, so a 1 GB document needs no more memory than a small one.

Usage: mkbig.py SIZE OUT      (SIZE in bytes; suffixes K, M, G allowed)
"""

import os
import sys

BLOCK = 1 << 20


def parse_size(text):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1:].upper() in mult:
        return int(text[:-1]) * mult[text[-1:].upper()]
    return int(text)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    size = parse_size(sys.argv[1])
    out = sys.argv[2]
    content = (b"BT /F1 24 Tf 72 720 Td (eseal benchmark document, "
               + str(size).encode() + b" bytes) Tj ET")
    payload = max(size - 2048, 1)
    block = os.urandom(BLOCK)
    offsets = {}
    with open(out, "wb") as f:
        def obj(num, body):
            offsets[num] = f.tell()
            f.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

        f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        obj(1, b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles "
               b"<< /Names [(data.bin) 6 0 R] >> >> >>")
        obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
               b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>")
        obj(4, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        obj(5, b"<< /Length %d >>\nstream\n" % len(content) + content
            + b"\nendstream")
        obj(6, b"<< /Type /Filespec /F (data.bin) /EF << /F 7 0 R >> >>")
        offsets[7] = f.tell()
        f.write(b"7 0 obj\n<< /Type /EmbeddedFile /Length %d >>\nstream\n"
                % payload)
        left = payload
        while left > 0:
            n = min(left, BLOCK)
            f.write(block[:n])
            left -= n
        f.write(b"\nendstream\nendobj\n")
        xref = f.tell()
        f.write(b"xref\n0 8\n0000000000 65535 f \n")
        for num in range(1, 8):
            f.write(b"%010d 00000 n \n" % offsets[num])
        f.write(b"trailer\n<< /Size 8 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                % xref)


if __name__ == "__main__":
    main()
