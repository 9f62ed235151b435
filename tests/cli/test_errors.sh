#!/bin/bash
# Bad documents exit 1, bad keys, certificates, paths and usage exit 2;
# each with one clear line on stderr, no output file, no temp file left,
# and never a password in a message.
. "$(dirname "$0")/lib.sh" || exit 1
. "$TESTS_DIR/checks.sh" || exit 1
need_tool qpdf qpdf
need_tool openssl openssl
need_tool pdfsig poppler-utils
need_tool python3 python3
make_pki
P12PASS=$(cat "$PKI/eseal-rsa.p12.pass")
[ -n "$P12PASS" ] || fail "empty demo .p12 password"
key_args rsa
ALLERR=$T/all-stderr.txt
: >"$ALLERR"

# seal_fails STATUS WHAT IN [options...]: eseal seal into a fresh directory
# fails with STATUS, one "eseal: ..." line on stderr, nothing left behind.
seal_fails() {
    local status=$1 what=$2 in=$3 od
    shift 3
    od=$(mktemp -d "$T/out.XXXXXX")
    run "$ESEAL" seal "$@" -o "$od/out.pdf" "$in"
    cat "$T/.stderr" >>"$ALLERR"
    expect_rc "$status" "$what"
    check_one_line "$what"
    [ -z "$(ls -A "$od")" ] ||
        fail "$what: files left in the output directory: $(ls -A "$od")"
    ok "$what: no output, no temp file"
    rm -rf "$od"
}

# check_one_line WHAT [FILE]: stderr is one line "eseal: FILE: ...".
check_one_line() {
    local lines
    lines=$(wc -l <"$T/.stderr")
    [ "$lines" -eq 1 ] || fail "$1: expected one line on stderr, got $lines"
    grep -qE '^eseal: .+: .+' "$T/.stderr" ||
        fail "$1: stderr is not 'eseal: FILE: message'"
    if [ -n "${2:-}" ]; then
        grep -qF "eseal: $2: " "$T/.stderr" ||
            fail "$1: stderr does not start with 'eseal: $2: '"
    fi
    ok "$1: message: $(cat "$T/.stderr")"
}

# qpdf_says FILE REGEX: qpdf --check's messages about FILE match REGEX.
qpdf_says() { { qpdf --check "$1" 2>&1 || :; } | contains "$2"; }

# 1. documents that cannot be sealed: exit 1, the message names the file
for name in bad-not-pdf bad-truncated bad-xref-offsets bad-prev-loop \
    bad-missing-catalog encrypted certified-p1; do
    f=$(sample "$name")
    case $name in
    bad-not-pdf) [ "$(head -c 5 "$f")" != "%PDF-" ] ||
        fail "fixture $name has a PDF header" ;;
    bad-truncated) tail -c 64 "$f" | contains '%%EOF' &&
        fail "fixture $name ends with %%EOF" ;;
    bad-xref-offsets) qpdf_says "$f" 'expected n n obj' ||
        fail "fixture $name: qpdf finds no bad offset" ;;
    bad-prev-loop) qpdf_says "$f" 'loop detected' ||
        fail "fixture $name: qpdf finds no loop" ;;
    bad-missing-catalog) qpdf_says "$f" 'Root' ||
        fail "fixture $name: qpdf finds the catalog" ;;
    *) assert_fixture "$name" "$f" ;;
    esac
    ok "fixture $name is what it claims"
    cp "$f" "$T/$name.pdf"
    say "seal $name"
    seal_fails 1 "seal $name refused" "$T/$name.pdf" "${KEYARGS[@]}"
    check_one_line "seal $name" "$T/$name.pdf"
    cmp -s "$f" "$T/$name.pdf" || fail "eseal changed the input $name"
done

# 2. keys, passwords and certificates: exit 2
in=$T/classic.pdf
cp "$(sample classic)" "$in"

say "key that does not match the certificate"
seal_fails 2 "mismatched key" "$in" --key "$PKI/eseal-ec.key" \
    --cert "$PKI/eseal-rsa.pem" --chain "$PKI/chain.pem"

say "wrong PKCS#12 password"
printf 'not-the-password-%s\n' "$RANDOM" >"$T/wrong.pass"
chmod 600 "$T/wrong.pass"
WRONG=$(cat "$T/wrong.pass")
seal_fails 2 "wrong .p12 password (file)" "$in" \
    --key "$PKI/eseal-rsa.p12" --pass-file "$T/wrong.pass"
grep -qF "$WRONG" "$T/.stderr" && fail "the wrong password is printed"
ENVSECRET=env-secret-$RANDOM-$RANDOM
export WRONG_ENV=$ENVSECRET
seal_fails 2 "wrong .p12 password (env)" "$in" \
    --key "$PKI/eseal-rsa.p12" --pass-env WRONG_ENV
unset WRONG_ENV

say "certificate without digitalSignature/nonRepudiation"
issue_cert noseal rsa keyEncipherment 20240101000000Z 20340101000000Z
seal_fails 2 "unfit key usage" "$in" --key "$PKI/noseal.key" \
    --cert "$PKI/noseal.pem" --chain "$PKI/chain.pem"

say "expired certificate"
issue_cert expired ec digitalSignature,nonRepudiation \
    20200101000000Z 20210101000000Z
seal_fails 2 "expired certificate" "$in" --key "$PKI/expired.key" \
    --cert "$PKI/expired.pem" --chain "$PKI/chain.pem"

say "certificate not yet valid"
issue_cert future ec digitalSignature,nonRepudiation \
    20990101000000Z 21000101000000Z
seal_fails 2 "not-yet-valid certificate" "$in" --key "$PKI/future.key" \
    --cert "$PKI/future.pem" --chain "$PKI/chain.pem"

say "control: an openssl-made certificate that is fit does seal"
issue_cert fit ec digitalSignature,nonRepudiation \
    20240101000000Z 20990101000000Z
seal "$in" "$T/fit.pdf" --key "$PKI/fit.key" --cert "$PKI/fit.pem" \
    --chain "$PKI/chain.pem"
pdfsig_check "$T/fit.pdf" 1

say "key file readable by others"
cp "$PKI/eseal-rsa.key" "$T/open.key"
chmod 644 "$T/open.key"
seal_fails 2 "key file mode 0644" "$in" --key "$T/open.key" \
    --cert "$PKI/eseal-rsa.pem" --chain "$PKI/chain.pem"
grep -qF "$T/open.key" "$T/.stderr" ||
    fail "the message does not name the key file"
ok "the message names the key file"

say "missing key file"
seal_fails 2 "missing key file" "$in" --key "$T/nokey.key" \
    --cert "$PKI/eseal-rsa.pem"

# 3. paths and usage: exit 2
say "missing input"
seal_fails 2 "missing input" "$T/does-not-exist.pdf" "${KEYARGS[@]}"

say "missing output directory"
run "$ESEAL" seal "${KEYARGS[@]}" -o "$T/no/such/dir/out.pdf" "$in"
cat "$T/.stderr" >>"$ALLERR"
expect_rc 2 "missing output directory"
check_one_line "missing output directory"
assert_no_file "$T/no"

say "output directory that is a file"
: >"$T/plainfile"
run "$ESEAL" seal "${KEYARGS[@]}" -o "$T/plainfile/out.pdf" "$in"
expect_rc 2 "output under a regular file"
check_one_line "output under a regular file"

if [ "$(id -u)" -ne 0 ]; then
    say "output directory without write permission"
    mkdir "$T/ro"
    chmod 555 "$T/ro"
    run "$ESEAL" seal "${KEYARGS[@]}" -o "$T/ro/out.pdf" "$in"
    expect_rc 2 "read-only output directory"
    check_one_line "read-only output directory"
    [ -z "$(ls -A "$T/ro")" ] || fail "files left in $T/ro"
    chmod 755 "$T/ro"
else
    say "(running as root: a read-only directory is writable; not checked)"
fi

say "-o onto the input without --in-place"
cp "$in" "$T/same.pdf"
run "$ESEAL" seal "${KEYARGS[@]}" -o "$T/same.pdf" "$T/same.pdf"
expect_rc 2 "-o onto the input"
check_one_line "-o onto the input"
cmp -s "$in" "$T/same.pdf" || fail "-o onto the input changed the input"
ok "input unchanged"
ln -s same.pdf "$T/link.pdf"
run "$ESEAL" seal "${KEYARGS[@]}" -o "$T/link.pdf" "$T/same.pdf"
expect_rc 2 "-o onto the input through a symlink"
cmp -s "$in" "$T/same.pdf" || fail "-o through a symlink changed the input"

say "unknown option"
run "$ESEAL" seal --no-such-option "${KEYARGS[@]}" -o "$T/x.pdf" "$in"
expect_rc 2 "unknown option"
assert_no_file "$T/x.pdf"

say "no key"
run "$ESEAL" seal -o "$T/x.pdf" "$in"
expect_rc 2 "seal without a key"
assert_no_file "$T/x.pdf"

# 4. --in-place
say "--in-place"
mkdir "$T/ip"
cp "$in" "$T/ip/inplace.pdf"
run "$ESEAL" seal "${KEYARGS[@]}" --in-place "$T/ip/inplace.pdf"
expect_rc 0 "seal --in-place"
is_prefix "$in" "$T/ip/inplace.pdf" || fail "--in-place did not append"
pdfsig_check "$T/ip/inplace.pdf" 1
assert_eq "$(ls -A "$T/ip")" inplace.pdf "no temp file left by --in-place"

# 5. a FIFO where a file is expected is refused at once (it used to be
# waited for: a key or an audit log that is a FIFO with nobody at the other
# end hung the command)
say "FIFOs"
mkfifo "$T/fifo.pdf" "$T/fifo.key" "$T/fifo.conf" "$T/fifo.log"
chmod 600 "$T/fifo.key"
fifo_refused() {
    local what=$1 name=$2
    shift 2
    run timeout 60 "$@"
    cat "$T/.stderr" >>"$ALLERR"
    expect_rc 2 "$what"
    check_one_line "$what" "$T/$name"
}
fifo_refused "verify a FIFO" fifo.pdf "$ESEAL" verify "$T/fifo.pdf"
fifo_refused "extend a FIFO" fifo.pdf \
    "$ESEAL" extend --level B-LT -o "$T/x.pdf" "$T/fifo.pdf"
fifo_refused "a key that is a FIFO" fifo.key \
    "$ESEAL" seal --key "$T/fifo.key" --cert "$PKI/eseal-rsa.pem" \
    -o "$T/x.pdf" "$in"
fifo_refused "a configuration that is a FIFO" fifo.conf \
    "$ESEAL" seal --config "$T/fifo.conf" "${KEYARGS[@]}" -o "$T/x.pdf" "$in"
fifo_refused "an audit log that is a FIFO" fifo.log \
    "$ESEAL" seal --audit "$T/fifo.log" "${KEYARGS[@]}" -o "$T/x.pdf" "$in"
assert_no_file "$T/x.pdf"

# 6. passwords never reach a message
say "no password in any message"
for secret in "$P12PASS" "$WRONG" "$ENVSECRET"; do
    grep -qF -- "$secret" "$ALLERR" && fail "a password appears on stderr"
done
ok "no password in $(wc -l <"$ALLERR") lines of stderr"

done_ok
