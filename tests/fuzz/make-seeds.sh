#!/bin/bash
# Rebuilds the small committed seed corpora of the fuzz targets that are not
# sample documents, all from one demo PKI made here:
#   corpus/cert        its certificates (DER and PEM); fuzz_pdf_verify and
#                      fuzz_cms trust its root-ca.pem
#   corpus/config      config files
#   corpus/pdf-signed  sealed PDFs: B-B (P-256, RSA), twice sealed,
#                      certified, B-T, B-LT, B-LTA, made against a local
#                      timestamp service and OCSP responder
#   corpus/cms         fuzz_cms inputs: each signature of those PDFs with
#                      the bytes it signs, document timestamp tokens, OCSP
#                      responses and CRLs (the formats: fuzz_cms.c)
# usage: tests/fuzz/make-seeds.sh BUILD_DIR
# (BUILD_DIR: a normal build with tests, for eseal and tests/ltv/tsa_server)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
eseal=$build/eseal
tsa_server=$build/tests/ltv/tsa_server
for t in openssl python3; do
    command -v $t >/dev/null ||
        { echo "make-seeds: $t is missing: apt-get install $t" >&2; exit 1; }
done
[ -x "$tsa_server" ] ||
    { echo "make-seeds: no $tsa_server (build the tests)" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

wait_file() {
    local i
    for i in $(seq 200); do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    echo "make-seeds: $2 did not start" >&2
    exit 1
}

# ---- the demo PKI and its services (as tests/ltv/lib.sh starts them) -----
pki=$tmp/pki
mkdir -p "$pki"
python3 "$src/tests/ltv/pki_server.py" --dir "$pki" \
    --port-file "$tmp/http.port" --ocsp-port-file "$tmp/ocsp.port" \
    --log "$tmp/http.log" >"$tmp/pki_server.log" 2>&1 &
pids+=($!)
wait_file "$tmp/http.port" pki_server.py
"$eseal" demo-pki --url-base "http://127.0.0.1:$(cat "$tmp/http.port")" \
    "$pki" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl ocsp -index "$pki/index.txt" -CA "$pki/issuing-ca.pem" \
    -rsigner "$pki/ocsp.pem" -rkey "$pki/ocsp.key" -port "$port" \
    -nmin 5 >"$tmp/ocsp.log" 2>&1 &
pids+=($!)
echo "$port" >"$tmp/ocsp.port"
"$tsa_server" --port-file "$tmp/tsa.port" --cert "$pki/tsa.pem" \
    --key "$pki/tsa.key" --chain "$pki/chain.pem" >"$tmp/tsa.log" 2>&1 &
pids+=($!)
wait_file "$tmp/tsa.port" tsa_server
tsa=http://127.0.0.1:$(cat "$tmp/tsa.port")/
for i in $(seq 100); do
    openssl ocsp -issuer "$pki/issuing-ca.pem" -cert "$pki/eseal-ec.pem" \
        -url "http://127.0.0.1:$port" -noverify >/dev/null 2>&1 && break
    sleep 0.1
done

# ---- certificates and configs -------------------------------------------
out=$src/tests/fuzz/corpus/cert
rm -rf "$out" && mkdir -p "$out"
for c in eseal-rsa eseal-ec revoked tsa ocsp issuing-ca root-ca; do
    cp "$pki/$c.pem" "$out/$c.pem"
    openssl x509 -in "$pki/$c.pem" -outform DER -out "$out/$c.der"
done
out=$src/tests/fuzz/corpus/config
rm -rf "$out" && mkdir -p "$out"
cp "$src/samples/eseal.conf.example" "$out/example.conf"
printf '[profile a]\nkey = k.pem\ncertificate = c.pem\nlevel = B-B\n' \
    >"$out/minimal.conf"
printf '[eseal]\ndefault_profile = x\n[profile x]\nkey = pkcs11:token=a\n' \
    >"$out/default.conf"

# ---- sealed PDFs --------------------------------------------------------
out=$src/tests/fuzz/corpus/pdf-signed
rm -rf "$out" && mkdir -p "$out"
ec=(--key "$pki/eseal-ec.key" --cert "$pki/eseal-ec.pem"
    --chain "$pki/chain.pem")
rsa=(--key "$pki/eseal-rsa.key" --cert "$pki/eseal-rsa.pem"
    --chain "$pki/chain.pem")
in=$src/samples/pdf/classic.pdf
"$eseal" seal "${ec[@]}" -o "$out/bb-ec.pdf" "$in"
"$eseal" seal "${rsa[@]}" -o "$out/bb-rsa.pdf" \
    "$src/samples/pdf/xrefstream.pdf"
"$eseal" seal "${rsa[@]}" -o "$out/twice.pdf" "$out/bb-ec.pdf"
"$eseal" seal "${ec[@]}" --certify -o "$out/certified.pdf" "$in"
"$eseal" seal "${ec[@]}" -o "$out/certified-then-sealed.pdf" \
    "$out/certified.pdf"
"$eseal" seal "${ec[@]}" --level B-T --tsa "$tsa" -o "$out/bt.pdf" "$in"
"$eseal" seal "${ec[@]}" --level B-LT --tsa "$tsa" -o "$out/blt.pdf" "$in"
"$eseal" seal "${ec[@]}" --level B-LTA --tsa "$tsa" -o "$out/blta.pdf" "$in"
"$eseal" seal --key "$pki/revoked.key" --cert "$pki/revoked.pem" \
    --chain "$pki/chain.pem" -o "$out/revoked-signer.pdf" "$in"
# every one verifies (the revoked signer's is not valid offline either way)
for f in bb-ec bb-rsa twice certified certified-then-sealed bt blt blta; do
    "$eseal" verify --offline --trust "$pki/trust.pem" "$out/$f.pdf" \
        >/dev/null || { echo "make-seeds: $f.pdf does not verify" >&2;
                        exit 1; }
done

# ---- fuzz_cms inputs ----------------------------------------------------
out=$src/tests/fuzz/corpus/cms
rm -rf "$out" && mkdir -p "$out"
python3 - "$src/tests/fuzz/corpus/pdf-signed" "$out" <<'PY'
import os, re, struct, sys
src, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    pdf = open(os.path.join(src, name), 'rb').read()
    for k, m in enumerate(re.finditer(
            rb'/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]', pdf)):
        a, b, c, d = map(int, m.groups())
        hexs = pdf[a + b + 1:c - 1]
        der = bytes.fromhex(hexs.decode()).rstrip(b'\0')
        # a DER value ends where its length says: drop the padding zeros
        # only after it
        n = der[1]
        if n & 0x80:
            n = 2 + (n & 0x7f) + int.from_bytes(der[2:2 + (n & 0x7f)], 'big')
        else:
            n += 2
        der = bytes.fromhex(hexs.decode())[:n]
        content = pdf[a:a + b] + pdf[c:c + d]
        doc_ts = b'/ETSI.RFC3161' in pdf[max(0, m.start() - 300):m.end() + 300]
        base = os.path.splitext(name)[0]
        if doc_ts:
            seed = b'\x01' + struct.pack('>I', len(content)) + content + der
            fn = '%s-%d-docts' % (base, k)
        else:
            seed = (b'\x00' + struct.pack('>II', b, len(content)) + content +
                    der)
            fn = '%s-%d-cms' % (base, k)
        open(os.path.join(out, fn), 'wb').write(seed)
PY
# OCSP responses (good, revoked) and CRLs, with the certificate index of
# fuzz_cms.c: 0 eseal-ec, 2 revoked, 3 issuing-ca
ocsp_seed() {   # CERT INDEX NAME
    openssl ocsp -issuer "$pki/issuing-ca.pem" -cert "$pki/$1.pem" \
        -reqout "$tmp/req.der" -no_nonce >/dev/null
    openssl ocsp -index "$pki/index.txt" -CA "$pki/issuing-ca.pem" \
        -rsigner "$pki/ocsp.pem" -rkey "$pki/ocsp.key" \
        -reqin "$tmp/req.der" -respout "$tmp/resp.der" -nmin 5 >/dev/null
    { printf '\002'; printf "\\$(printf %03o "$2")"; cat "$tmp/resp.der"; } \
        >"$out/ocsp-$3"
}
ocsp_seed eseal-ec 0 good
ocsp_seed revoked 2 revoked
{ printf '\003\000'; cat "$pki/issuing-ca.crl.der"; } >"$out/crl-issuing-ec"
{ printf '\003\002'; cat "$pki/issuing-ca.crl.der"; } \
    >"$out/crl-issuing-revoked"
{ printf '\003\003'; cat "$pki/root-ca.crl.der"; } >"$out/crl-root"
echo "make-seeds: $(ls "$src/tests/fuzz/corpus/pdf-signed" | wc -l) sealed" \
    "PDFs, $(ls "$out" | wc -l) fuzz_cms inputs"
