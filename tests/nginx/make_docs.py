#!/usr/bin/python3
"""Writes the documents the nginx tests serve into a directory.

usage: make_docs.py DIR [NAME=KIND:SIZE ...]

Without NAME arguments it writes the standard set:
  invoice.pdf   a one-page PDF invoice of about 20 KB
  small.pdf     the same, about 2 KB
  invoice.xml   a UBL 2.1 invoice of about 10 KB
  generic.xml   a small XML document that is not an invoice
  damaged.pdf   a PDF cut in the middle (cannot be sealed)
  broken.xml    XML that is not well formed (cannot be sealed)
  note.txt      plain text (not sealed)
With NAME=pdf:SIZE or NAME=xml:SIZE (SIZE in bytes, or with k / m) it writes
only those documents.  Every document carries the marker ESEAL-NGINX-TEST in
plain text, so that a failure body can be searched for document bytes.
"""
import os
import sys

MARKER = "ESEAL-NGINX-TEST"


def pdf(size):
    """A valid classic-xref PDF; its content stream pads it to size."""
    lines = [b"BT /F1 12 Tf 50 780 Td (INVOICE " + MARKER.encode() +
             b") Tj ET"]
    total = len(lines[0])
    y = 760
    n = 0
    while total + 600 < size:
        n += 1
        line = ("BT /F1 9 Tf 50 %d Td (Line %06d: consulting and support, "
                "1 x 5000 JPY) Tj ET" % (y, n)).encode()
        lines.append(line)
        total += len(line) + 1
        y = y - 11 if y > 60 else 760
    body = b"\n".join(lines)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body +
        b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + MARKER.encode() + b" invoice) /Producer "
        b"(eseal nginx tests) >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n"
            b"startxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return bytes(out)


def xml(size):
    """A UBL 2.1 invoice with enough lines to reach size."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
        'Invoice-2"\n'
        '         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:'
        'CommonAggregateComponents-2"\n'
        '         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
        'CommonBasicComponents-2">\n'
        '  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>\n'
        '  <cbc:ID>INV-2026-0042</cbc:ID>\n'
        '  <cbc:IssueDate>2026-11-24</cbc:IssueDate>\n'
        '  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>\n'
        '  <cbc:Note>' + MARKER + '</cbc:Note>\n'
        '  <cbc:DocumentCurrencyCode>JPY</cbc:DocumentCurrencyCode>\n'
        '  <cac:AccountingSupplierParty><cac:Party><cac:PartyName>'
        '<cbc:Name>Example Demo Corporation</cbc:Name></cac:PartyName>'
        '</cac:Party></cac:AccountingSupplierParty>\n'
        '  <cac:AccountingCustomerParty><cac:Party><cac:PartyName>'
        '<cbc:Name>Sample Buyer Ltd.</cbc:Name></cac:PartyName>'
        '</cac:Party></cac:AccountingCustomerParty>\n')
    lines = []
    n = 0
    total = len(head) + 40
    while total < size:
        n += 1
        line = (
            '  <cac:InvoiceLine>\n'
            '    <cbc:ID>%d</cbc:ID>\n'
            '    <cbc:InvoicedQuantity unitCode="C62">1'
            '</cbc:InvoicedQuantity>\n'
            '    <cbc:LineExtensionAmount currencyID="JPY">5000'
            '</cbc:LineExtensionAmount>\n'
            '    <cac:Item><cbc:Name>Consulting &amp; support, item %d'
            '</cbc:Name></cac:Item>\n'
            '  </cac:InvoiceLine>\n' % (n, n))
        lines.append(line)
        total += len(line)
    return (head + "".join(lines) + "</Invoice>\n").encode()


def parse_size(s):
    mult = 1
    if s[-1] in "kK":
        mult, s = 1024, s[:-1]
    elif s[-1] in "mM":
        mult, s = 1024 * 1024, s[:-1]
    return int(s) * mult


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    docs = {}
    if len(sys.argv) > 2:
        for arg in sys.argv[2:]:
            name, spec = arg.split("=", 1)
            kind, size = spec.split(":", 1)
            docs[name] = (pdf if kind == "pdf" else xml)(parse_size(size))
    else:
        invoice = pdf(20 * 1024)
        docs = {
            "invoice.pdf": invoice,
            "small.pdf": pdf(2 * 1024),
            "invoice.xml": xml(10 * 1024),
            "generic.xml": ('<?xml version="1.0" encoding="UTF-8"?>\n'
                            '<note id="n1"><to>' + MARKER + '</to>'
                            '<body>a generic document</body></note>\n'
                            ).encode(),
            "damaged.pdf": invoice[:len(invoice) // 2],
            "broken.xml": ('<?xml version="1.0"?>\n<Invoice><cbc:Note>' +
                           MARKER + '</Invoice>\n').encode(),
            "note.txt": ("plain text " + MARKER + "\n").encode(),
        }
    for name, data in docs.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
