#!/bin/bash
# The audit log: one JSON line per document (time, input, SHA-256 of input
# and output, format, level, certificate serial and issuer, result), lines
# of parallel processes never interleaved, the profile's audit setting,
# standard input, an audit log that cannot be opened.
. "$(dirname "$0")/lib.sh"
need_tool jq jq
need_tool sha256sum coreutils

make_pki
rsa_args
serial=$(openssl x509 -in "$PKI/eseal-rsa.pem" -noout -serial | cut -d= -f2)
issuer=$(openssl x509 -in "$PKI/eseal-rsa.pem" -noout -issuer \
    -nameopt RFC2253 | sed 's/^issuer=//')

# check_line LOG INPUT: the line of INPUT is well formed and its digests
# match the files.
check_line() {
    local log=$1 in=$2 line
    line=$(jq -c --arg in "$in" 'select(.input == $in)' "$log")
    [ -n "$line" ] || fail "no audit line for $in"
    [ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] ||
        fail "several audit lines for $in"
    printf '%s\n' "$line" >"$T/line.json"
}

say "a batch writes one line per document"
mkdir -p in/sub out
make_docs in 3
cp "$XML_SAMPLE" in/sub/inv.xml
cp "$(sample bad-truncated)" in/bad.pdf
run "$ESEAL" seal "${KEYARGS[@]}" --jobs 2 --audit audit.log --out-dir out in
expect_rc 1 "a batch with one bad document"
assert_eq "$(wc -l <audit.log)" 5 "five lines for five documents"
jq -e . audit.log >/dev/null 2>&1 || fail "the audit log is not JSON lines"
ok "every line is JSON"
for f in doc00001.pdf doc00002.pdf doc00003.pdf sub/inv.xml; do
    check_line audit.log "$T/in/$f"
    assert_json "$T/line.json" .result sealed "$f: result sealed"
    assert_json "$T/line.json" .output "$T/out/$f" "$f: the output path"
    assert_json "$T/line.json" .input_sha256 \
        "$(sha256sum <"in/$f" | cut -d' ' -f1)" "$f: SHA-256 of the input"
    assert_json "$T/line.json" .output_sha256 \
        "$(sha256sum <"out/$f" | cut -d' ' -f1)" "$f: SHA-256 of the output"
    assert_json "$T/line.json" .level B-B "$f: level"
    assert_json "$T/line.json" .input_size "$(stat -c %s "in/$f")" \
        "$f: input size"
    assert_json "$T/line.json" .output_size "$(stat -c %s "out/$f")" \
        "$f: output size"
    assert_json "$T/line.json" .profile null "$f: no profile"
    assert_json "$T/line.json" .certificate.serial "$serial" "$f: serial"
    assert_json "$T/line.json" .certificate.issuer "$issuer" "$f: issuer"
    assert_json "$T/line.json" .error null "$f: no error"
    assert_json "$T/line.json" '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")' \
        true "$f: an RFC 3339 time"
    assert_json "$T/line.json" '.pid > 0 and (.host | length) > 0' true \
        "$f: host and pid"
done
check_line audit.log "$T/in/sub/inv.xml"
assert_json "$T/line.json" .format xml "the XML document's format"
check_line audit.log "$T/in/doc00001.pdf"
assert_json "$T/line.json" .format pdf "a PDF's format"
check_line audit.log "$T/in/bad.pdf"
assert_json "$T/line.json" .result failed "the bad document failed"
assert_json "$T/line.json" .output null "no output for it"
assert_json "$T/line.json" .output_sha256 null "no output digest"
assert_json "$T/line.json" .input_sha256 \
    "$(sha256sum <in/bad.pdf | cut -d' ' -f1)" "its input digest"
assert_json "$T/line.json" .error_code EFORMAT "its error code"
assert_json "$T/line.json" '.error | length > 0' true "its message"

say "the log is appended to, never rewritten"
run "$ESEAL" seal "${KEYARGS[@]}" --audit audit.log -o one.pdf \
    "$T/in/doc00001.pdf"
expect_rc 0 "one more document"
assert_eq "$(wc -l <audit.log)" 6 "a sixth line"
assert_eq "$(stat -c %a audit.log)" 640 "the log is made with mode 0640"

say "parallel processes never interleave their lines"
for p in 1 2 3; do
    mkdir -p "par$p" "pout$p"
    make_docs "par$p" 60 "p${p}-"
done
for p in 1 2 3; do
    "$ESEAL" seal "${KEYARGS[@]}" --jobs 2 --audit par.log \
        --out-dir "pout$p" "par$p" 2>"par$p.err" &
done
wait
for p in 1 2 3; do
    grep -q 'sealed 60 of 60' "par$p.err" || fail "process $p: $(cat "par$p.err")"
done
assert_eq "$(wc -l <par.log)" 180 "180 lines from three processes"
jq -e . par.log >/dev/null 2>&1 || fail "a line of par.log is not JSON"
ok "every line is a JSON object"
assert_eq "$(jq -r .input par.log | sort -u | wc -l)" 180 \
    "each document once"
assert_eq "$(jq -r .pid par.log | sort -u | wc -l)" 3 "three writers"

say "the profile's audit setting"
mkdir -p conf
cat >conf/eseal.conf <<EOF
[profile batch]
key = $PKI/eseal-rsa.key
certificate = $PKI/eseal-rsa.pem
chain = $PKI/chain.pem
audit = logs/audit.log
EOF
chmod 600 conf/eseal.conf
mkdir -p conf/logs
run "$ESEAL" seal --config conf/eseal.conf --out-dir out in/sub
expect_rc 0 "seal with the profile"
assert_eq "$(wc -l <conf/logs/audit.log)" 1 \
    "the profile's log (relative to the configuration) has the line"
assert_json conf/logs/audit.log .profile batch "the line names the profile"
run "$ESEAL" seal --config conf/eseal.conf --audit cli.log --out-dir out \
    in/sub
expect_rc 0 "--audit overrides the profile"
assert_eq "$(wc -l <cli.log)" 1 "the line went to --audit's log"
assert_eq "$(wc -l <conf/logs/audit.log)" 1 "not to the profile's"

say "standard input and output"
run_in "$SMALL_PDF" "$ESEAL" seal "${KEYARGS[@]}" --audit stream.log -o - -
expect_rc 0 "seal standard input to standard output"
cp "$T/.stdout" stream.pdf
assert_json stream.log .input stdin "the input is named stdin"
assert_json stream.log .output null "the output is a stream"
assert_json stream.log .input_sha256 "$(sha256sum <"$SMALL_PDF" | cut -d' ' -f1)" \
    "the input digest"
assert_json stream.log .output_sha256 "$(sha256sum <stream.pdf | cut -d' ' -f1)" \
    "the output digest"
assert_json stream.log .input_size "$(stat -c %s "$SMALL_PDF")" "input size"
assert_json stream.log .output_size "$(stat -c %s stream.pdf)" "output size"
run_in "$(sample bad-not-pdf)" "$ESEAL" seal "${KEYARGS[@]}" \
    --audit stream.log -o - -
expect_rc 1 "a bad document on standard input"
assert_eq "$(tail -n 1 stream.log | jq -r .result)" failed \
    "its line says failed"

say "an audit log that cannot be opened stops the batch before it starts"
mkdir -p noaudit
run "$ESEAL" seal "${KEYARGS[@]}" --audit "$T/in" --out-dir noaudit in
expect_rc 2 "a directory as the audit log"
assert_grep 'cannot open the audit log' "$T/.stderr" "the message says why"
assert_eq "$(find noaudit -type f | wc -l)" 0 "nothing was sealed"

done_ok
