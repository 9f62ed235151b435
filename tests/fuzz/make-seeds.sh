#!/bin/bash
# Rebuilds the small committed seed corpora of the fuzz targets that are not
# sample documents: certificates (DER and PEM from a demo PKI) and config
# files.  usage: tests/fuzz/make-seeds.sh BUILD_DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
eseal=$(cd "${1:-$src/build}" && pwd)/eseal
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$eseal" demo-pki "$tmp/pki" >/dev/null
out=$src/tests/fuzz/corpus/cert
rm -rf "$out" && mkdir -p "$out"
for c in eseal-rsa eseal-ec tsa ocsp issuing-ca root-ca; do
    cp "$tmp/pki/$c.pem" "$out/$c.pem"
    openssl x509 -in "$tmp/pki/$c.pem" -outform DER -out "$out/$c.der"
done
out=$src/tests/fuzz/corpus/config
rm -rf "$out" && mkdir -p "$out"
cp "$src/samples/eseal.conf.example" "$out/example.conf"
printf '[profile a]\nkey = k.pem\ncertificate = c.pem\nlevel = B-B\n' \
    >"$out/minimal.conf"
printf '[eseal]\ndefault_profile = x\n[profile x]\nkey = pkcs11:token=a\n' \
    >"$out/default.conf"
