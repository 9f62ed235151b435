#!/usr/bin/env python3
"""Independent extraction of what eseal's LTV tests check with OpenSSL.

Written against the standards, not against eseal's code:

  parts.py cms SIG.der OUTPREFIX
      CMS SignedData (RFC 5652): writes OUTPREFIX.sigvalue (the first
      SignerInfo's signature value) and OUTPREFIX.tsN.der for each
      id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14) value.
  parts.py dss FILE.pdf OUTDIR
      Reads the catalog's /DSS through qpdf's JSON (qpdf --json-output) and
      writes OUTDIR/cert-N.der, ocsp-N.der, crl-N.der; prints the counts.
  parts.py xml FILE.xml OUTPREFIX [N]
      The N-th (1-based) ds:Signature: writes OUTPREFIX.sv.c14n (its
      ds:SignatureValue in canonical form, by Python's C14N 2.0, which
      equals exclusive C14N for this element), OUTPREFIX.sigts.der (the
      SignatureTimeStamp token), OUTPREFIX.ocsp-N.der and .crl-N.der (the
      RevocationValues), and prints the counts.
"""
import base64
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

TS_OID = bytes([0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09,
                0x10, 0x02, 0x0e])


def tlv(data, pos):
    """(tag, header length, content length) of the DER element at pos."""
    tag = data[pos]
    n = data[pos + 1]
    if n < 0x80:
        return tag, 2, n
    k = n & 0x7f
    return tag, 2 + k, int.from_bytes(data[pos + 2:pos + 2 + k], "big")


def children(data, pos):
    tag, h, n = tlv(data, pos)
    out, p = [], pos + h
    while p < pos + h + n:
        t, hh, nn = tlv(data, p)
        out.append(p)
        p += hh + nn
    return out


def content(data, pos):
    tag, h, n = tlv(data, pos)
    return data[pos + h:pos + h + n]


def whole(data, pos):
    tag, h, n = tlv(data, pos)
    return data[pos:pos + h + n]


def cms(path, prefix):
    d = open(path, "rb").read()
    ci = children(d, 0)                     # contentType, [0]
    sd = children(d, ci[1])[0]              # SignedData
    sis = children(d, sd)[-1]               # signerInfos SET (last)
    si = children(d, sis)[0]
    n = 0
    for c in children(d, si):
        tag = d[c]
        if tag == 0x04:                     # signature OCTET STRING
            open(prefix + ".sigvalue", "wb").write(content(d, c))
        if tag == 0xa1:                     # unsignedAttrs [1]
            for attr in children(d, c):
                parts = children(d, attr)
                if whole(d, parts[0]) != TS_OID:
                    continue
                for v in children(d, parts[1]):
                    n += 1
                    open("%s.ts%d.der" % (prefix, n), "wb").write(
                        whole(d, v))
    print(n)


def dss(path, outdir):
    out = subprocess.run(["qpdf", "--json-output", "--json-stream-data=inline",
                          path, "-"], check=True, capture_output=True).stdout
    objs = json.loads(out)["qpdf"][1]

    def get(ref):
        return objs["obj:" + ref]

    root = get(objs["trailer"]["value"]["/Root"])["value"]
    d = root["/DSS"]
    if isinstance(d, str):
        d = get(d)["value"]
    counts = []
    for key, name in (("/Certs", "cert"), ("/OCSPs", "ocsp"),
                      ("/CRLs", "crl")):
        arr = d.get(key, [])
        if isinstance(arr, str):
            arr = get(arr)["value"]
        for i, ref in enumerate(arr):
            s = get(ref)["stream"]
            open(os.path.join(outdir, "%s-%d.der" % (name, i + 1)),
                 "wb").write(base64.b64decode(s["data"]))
        counts.append(str(len(arr)))
    print(" ".join(counts))


DS = "{http://www.w3.org/2000/09/xmldsig#}"
XADES = "{http://uri.etsi.org/01903/v1.3.2#}"


def parse_any(path):
    """Python's expat knows no multi-byte encoding but UTF-8/16: others
    are decoded by Python's codecs first (eseal writes ASCII only)."""
    import re
    raw = open(path, "rb").read()
    try:
        return ET.ElementTree(ET.fromstring(raw))
    except ValueError:
        m = re.match(rb'<\?xml[^>]*encoding=["\']([A-Za-z0-9_.-]+)', raw)
        text = raw.decode(m.group(1).decode("ascii"))
        text = re.sub(r'encoding=["\'][A-Za-z0-9_.-]+["\']',
                      'encoding="UTF-8"', text, count=1)
        return ET.ElementTree(ET.fromstring(text.encode("utf-8")))


def xml(path, prefix, index=1):
    ET.register_namespace("ds", DS[1:-1])
    tree = parse_any(path)
    sigs = list(tree.iter(DS + "Signature"))
    sig = sigs[index - 1]
    sv = sig.find(DS + "SignatureValue")
    text = ET.tostring(sv, encoding="unicode")
    # the element alone, its ds prefix declared on it
    c14n = ET.canonicalize(text, strip_text=False)
    open(prefix + ".sv.c14n", "wb").write(c14n.encode("utf-8"))
    st = sig.find(".//" + XADES + "SignatureTimeStamp/" + XADES +
                  "EncapsulatedTimeStamp")
    if st is not None:
        open(prefix + ".sigts.der", "wb").write(base64.b64decode(st.text))
    n_ocsp = n_crl = 0
    for e in sig.iter(XADES + "EncapsulatedOCSPValue"):
        n_ocsp += 1
        open("%s.ocsp-%d.der" % (prefix, n_ocsp), "wb").write(
            base64.b64decode(e.text))
    for e in sig.iter(XADES + "EncapsulatedCRLValue"):
        n_crl += 1
        open("%s.crl-%d.der" % (prefix, n_crl), "wb").write(
            base64.b64decode(e.text))
    print(1 if st is not None else 0, n_ocsp, n_crl)


def main():
    if sys.argv[1] == "cms":
        cms(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "dss":
        dss(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "xml":
        xml(sys.argv[2], sys.argv[3],
            int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    else:
        sys.exit("unknown command")


if __name__ == "__main__":
    main()
