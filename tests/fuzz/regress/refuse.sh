#!/bin/bash
# Inputs fuzzing found that eseal must refuse to seal (it once sealed them
# into documents its verifier could not read): each DIR/NAME.pdf, sealed
# with a demo key, must fail with the message in DIR/NAME.expect and leave
# no output behind.
# usage: refuse.sh ESEAL DIR
set -u
eseal=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$eseal" demo-pki "$tmp/pki" >/dev/null || { echo "FAIL: demo-pki"; exit 1; }
n=0
for f in "$dir"/*.pdf; do
    name=$(basename "$f" .pdf)
    want=$(cat "$dir/$name.expect")
    "$eseal" seal --key "$tmp/pki/eseal-ec.key" --cert "$tmp/pki/eseal-ec.pem" \
        --chain "$tmp/pki/chain.pem" -o "$tmp/out.pdf" "$f" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 0 ] || [ -e "$tmp/out.pdf" ]; then
        echo "FAIL: $name.pdf was sealed (exit $rc)"
        exit 1
    fi
    if ! grep -qF -- "$want" "$tmp/err"; then
        echo "FAIL: $name.pdf: expected '$want', got: $(cat "$tmp/err")"
        exit 1
    fi
    echo "ok: $name.pdf refused: $(cat "$tmp/err")"
    n=$((n + 1))
done
[ $n -gt 0 ] || { echo "FAIL: no input in $dir"; exit 1; }
