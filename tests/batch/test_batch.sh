#!/bin/bash
# Batches: walked directories keep their relative paths under --out-dir,
# --from-list (a file, standard input), collisions refused before anything
# is sealed, a bad document does not stop the others, exit statuses,
# --jobs, --in-place batches, progress and the summary.
. "$(dirname "$0")/lib.sh"
need_tool jq jq
need_tool pdfsig poppler-utils

make_pki
rsa_args

# --- a tree ------------------------------------------------------------------
say "a walked directory keeps its relative paths"
mkdir -p in/a/b in/c in/.git in/empty
cp "$SMALL_PDF" in/top.pdf
cp "$SMALL_PDF" in/a/x.pdf
cp "$SMALL_PDF" in/a/b/y.PDF
cp "$XML_SAMPLE" in/c/inv.xml
cp "$SMALL_PDF" in/.hidden.pdf
cp "$SMALL_PDF" in/.git/z.pdf
echo "not a document" >in/a/readme.txt
ln -s ../top.pdf in/c/link.pdf
ln -s ../a in/c/dirlink
mkdir out
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir out in
expect_rc 0 "seal a tree"
assert_eq "$(cd out && find . -type f -o -type l | sort | tr '\n' ' ')" \
    "./a/b/y.PDF ./a/x.pdf ./c/inv.xml ./c/link.pdf ./top.pdf " \
    "outputs keep their paths; hidden entries, other files and links to directories are skipped"
[ -d out/empty ] && fail "an output directory was made for a directory without documents"
ok "no output directory for a directory without documents"
[ -L out/c/link.pdf ] && fail "a link was copied as a link"
ok "a link to a file is sealed into a regular file"
assert_eq "$(summary_counts)" "5 5 0" "the summary counts 5 sealed of 5"
assert_grep 'docs/s' "$T/.stderr" "the summary gives the rate"
pdfsig_check out/a/b/y.PDF 1
all_verify out "the tree"
no_temp_files out "the tree"
cmp -s "$SMALL_PDF" in/a/x.pdf || fail "an input was changed"
ok "inputs are untouched"

say "sealing the same tree again replaces the outputs"
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir out --jobs 3 in
expect_rc 0 "seal the tree again"
assert_eq "$(sig_count out/a/x.pdf)" 1 "the output was replaced, not sealed twice"
no_temp_files out "the second run"

say "an output directory inside the walked one is not walked"
mkdir in/sealed
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir in/sealed in
expect_rc 0 "seal into a directory inside the input"
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir in/sealed in
expect_rc 0 "again"
[ -e in/sealed/sealed ] && fail "the outputs of the first run were sealed again"
assert_eq "$(find in/sealed -type f | wc -l)" 5 "5 outputs, once each"
rm -rf in/sealed

# --- collisions ----------------------------------------------------------------
say "two inputs that would share an output are refused up front"
mkdir -p d1/s d2/s coll
cp "$SMALL_PDF" d1/s/same.pdf
cp "$SMALL_PDF" d2/s/same.pdf
cp "$SMALL_PDF" d2/s/other.pdf
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir coll d1 d2
expect_rc 2 "two trees with the same relative path"
assert_grep 'coll/s/same.pdf: two inputs would be sealed into this file: d1/s/same.pdf and d2/s/same.pdf' \
    "$T/.stderr" "the message names the output and both inputs"
assert_eq "$(find coll -type f | wc -l)" 0 "nothing was sealed"
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir coll d1/s/same.pdf d2/s/same.pdf
expect_rc 2 "two files with the same name"
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir coll d2/s d2/s/other.pdf
expect_rc 2 "a file given alone and inside a directory"
run "$ESEAL" seal "${KEYARGS[@]}" --in-place d1/s/same.pdf d1/s/../s/same.pdf
expect_rc 2 "one file named twice for --in-place"
assert_grep 'given twice' "$T/.stderr" "says the file is given twice"
cmp -s "$SMALL_PDF" d1/s/same.pdf || fail "the file was sealed anyway"
ok "the file was not sealed"
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir d1/s d1/s
expect_rc 2 "an output directory equal to the input directory"
assert_grep 'the output is the input' "$T/.stderr" "says the output is the input"

# --- lists ---------------------------------------------------------------------
say "--from-list FILE and --from-list -"
mkdir -p l/one l/two l/three lout lout2
cp "$SMALL_PDF" l/one/p1.pdf
cp "$SMALL_PDF" l/three/p3.pdf
cp "$SMALL_PDF" l/two/p2.pdf
cp "$XML_SAMPLE" l/inv.xml
printf '%s\r\n\n%s\n%s' l/one/p1.pdf "$T/l/two" l/inv.xml >list.txt
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir lout --from-list list.txt
expect_rc 0 "a list with CRLF, a blank line, a directory and no final newline"
assert_eq "$(cd lout && find . -type f | sort | tr '\n' ' ')" \
    "./inv.xml ./p1.pdf ./p2.pdf " "the listed documents are sealed"
run_in list.txt "$ESEAL" seal "${KEYARGS[@]}" --out-dir lout2 --from-list - \
    "$T/l/three"
expect_rc 0 "the list on standard input, plus an argument"
assert_eq "$(summary_counts)" "4 4 0" "four documents from the list and the argument"
run_in list.txt "$ESEAL" seal "${KEYARGS[@]}" --out-dir lout2 --from-list - \
    "$T/l/one"
expect_rc 2 "a document both in the list and on the command line"
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir lout --from-list no-such-list
expect_rc 2 "a missing list"
run "$ESEAL" seal "${KEYARGS[@]}" -o x.pdf --from-list list.txt
expect_rc 2 "-o with a list"
printf 'l/one/p1.pdf\0x\n' >nul.txt
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir lout --from-list nul.txt
expect_rc 2 "a list with a NUL byte"

# --- failures ------------------------------------------------------------------
say "a bad document does not stop the batch"
mkdir -p mixed mout
make_docs mixed 6
cp "$(sample bad-truncated)" mixed/doc00003.pdf
cp "$(sample bad-not-pdf)" mixed/doc00005.pdf
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir mout --jobs 2 mixed mixed-missing.pdf
expect_rc 1 "a batch with bad documents exits 1"
for f in mixed/doc00003.pdf mixed/doc00005.pdf mixed-missing.pdf; do
    assert_grep "^eseal: $f: " "$T/.stderr" "the failure of $f is listed"
done
assert_eq "$(summary_counts)" "4 7 3" "4 sealed of 7, 3 failed"
assert_eq "$(ls mout | tr '\n' ' ')" \
    "doc00001.pdf doc00002.pdf doc00004.pdf doc00006.pdf " \
    "the good documents are sealed, the bad ones are not"
no_temp_files mout "a batch with failures"

say "an output directory that cannot be made fails its documents only"
rm -rf blocked && mkdir -p blocked
echo "a file where a directory should go" >blocked/a
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir blocked in
expect_rc 1 "documents under in/a cannot be written"
assert_grep 'blocked/a: cannot create the output directory' "$T/.stderr" \
    "says which directory"
assert_grep '^eseal: in/a/x.pdf: ' "$T/.stderr" "the document there is listed"
assert_eq "$(summary_counts)" "3 5 2" "the other three are sealed"

say "single documents keep their exit statuses"
run "$ESEAL" seal "${KEYARGS[@]}" -o one.pdf missing.pdf
expect_rc 2 "a missing single input"
run "$ESEAL" seal "${KEYARGS[@]}" -o one.pdf "$(sample bad-truncated)"
expect_rc 1 "a damaged single input"
run "$ESEAL" seal "${KEYARGS[@]}" -o one.pdf "$SMALL_PDF"
expect_rc 0 "a good single input"
[ -s "$T/.stderr" ] && fail "a single document printed: $(err)"
ok "a single document prints no summary"
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir out empty-dir-missing
expect_rc 2 "one missing input with --out-dir: exit 2 as for -o"
mkdir -p nodocs
run "$ESEAL" seal "${KEYARGS[@]}" --out-dir out nodocs
expect_rc 0 "a directory without documents"
assert_grep 'no document to seal' "$T/.stderr" "says there was nothing to seal"

say "inputs that are not regular files"
mkfifo fifo.pdf
run timeout 20 "$ESEAL" seal "${KEYARGS[@]}" -o one.pdf fifo.pdf
expect_rc 2 "a FIFO as the single input is refused, not waited on"
assert_grep 'fifo.pdf: not a regular file' "$T/.stderr" "says why"
run timeout 20 "$ESEAL" seal "${KEYARGS[@]}" --out-dir out fifo.pdf in/top.pdf
expect_rc 1 "a FIFO among other inputs is a failed document"
assert_eq "$(summary_counts)" "1 2 1" "the other document is sealed"
rm fifo.pdf

say "--jobs"
for j in 0 -1 abc 1025 2x; do
    run "$ESEAL" seal "${KEYARGS[@]}" --jobs "$j" --out-dir out in
    expect_rc 2 "--jobs $j refused"
done
run "$ESEAL" seal "${KEYARGS[@]}" --jobs 1 --out-dir out in
expect_rc 0 "--jobs 1"
run "$ESEAL" seal "${KEYARGS[@]}" --jobs 64 --out-dir out in
expect_rc 0 "--jobs larger than the number of documents"

say "the sealer is opened before the batch starts"
run "$ESEAL" seal --key "$PKI/eseal-rsa.key" --cert "$PKI/eseal-ec.pem" \
    --out-dir out in
expect_rc 2 "a key that does not match its certificate: the batch cannot start"

# --- in place ------------------------------------------------------------------
say "--in-place over a directory"
mkdir -p ip
make_docs ip 8
chmod 640 ip/doc00002.pdf
cp "$SMALL_PDF" ip-target.pdf
ln -s ../ip-target.pdf ip/link.pdf
run "$ESEAL" seal "${KEYARGS[@]}" --in-place --jobs 3 ip
expect_rc 0 "seal a directory in place"
for f in ip/*.pdf; do
    is_prefix "$SMALL_PDF" "$f" || fail "$f was not updated in place"
done
ok "every file was extended in place"
[ -L ip/link.pdf ] && cmp -s "$SMALL_PDF" ip-target.pdf ||
    fail "a link met while walking was sealed in place"
ok "links met while walking are left alone in place"
rm ip/link.pdf
assert_eq "$(stat -c %a ip/doc00002.pdf)" 640 "the mode of a file sealed in place is kept"
all_verify ip "in place"
no_temp_files ip "in place"

# --- progress ------------------------------------------------------------------
say "progress lines when stderr is not a terminal"
mkdir -p prog pout
make_docs prog 400
ESEAL_PROGRESS_INTERVAL=0.001 run "$ESEAL" seal "${KEYARGS[@]}" --jobs 1 \
    --out-dir pout prog
expect_rc 0 "a batch with frequent progress"
assert_grep '^eseal: [0-9]+/400 done \([0-9]+ sealed, 0 failed\), [0-9.]+ docs/s, ETA [0-9]+:[0-9]{2}$' \
    "$T/.stderr" "progress lines give count, rate and ETA"
assert_no_grep $'\r' "$T/.stderr" "no carriage returns off a terminal"
if command -v script >/dev/null 2>&1; then
    rm -rf pout2
    mkdir pout2
    ESEAL_PROGRESS_INTERVAL=0.001 script -qec "$ESEAL seal --key $PKI/eseal-rsa.key --cert $PKI/eseal-rsa.pem --jobs 1 --out-dir pout2 prog" \
        /dev/null >tty.out 2>&1
    assert_grep $'\r.*\\[#*-*\\] +[0-9]+/400' tty.out "a progress bar on a terminal"
    assert_grep 'sealed 400 of 400 documents' tty.out "the summary on a terminal"
fi

say "--no-sync"
rm -rf ns && mkdir ns
run "$ESEAL" seal "${KEYARGS[@]}" --no-sync --out-dir ns in
expect_rc 0 "seal without flushing"
all_verify ns "--no-sync outputs"

done_ok
