#!/bin/sh
# Quick start: installs what eseal needs, builds it, makes a throw-away demo
# PKI, seals a sample PDF and a sample UBL invoice with it and verifies them.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
[ -d build ] || meson setup build
meson compile -C build

demo=build/demo
rm -rf "$demo" && mkdir -p "$demo"
./build/eseal demo-pki "$demo/pki"
./build/eseal seal --key "$demo/pki/eseal-rsa.key" \
    --cert "$demo/pki/eseal-rsa.pem" --chain "$demo/pki/chain.pem" \
    -o "$demo/invoice-sealed.pdf" samples/demo/invoice.pdf
echo "sealed: $demo/invoice-sealed.pdf"
./build/eseal seal --key "$demo/pki/eseal-rsa.key" \
    --cert "$demo/pki/eseal-rsa.pem" --chain "$demo/pki/chain.pem" \
    -o "$demo/invoice-sealed.xml" samples/xml/invoice-ubl.xml
echo "sealed: $demo/invoice-sealed.xml"
./build/eseal verify --trust "$demo/pki/trust.pem" "$demo/invoice-sealed.pdf" \
    "$demo/invoice-sealed.xml"
