#!/bin/bash
# The eseal-pdf filter and the eseal-store backend run directly, the way
# cupsd runs them: argv (queue job-id user title copies options [file]),
# the file argument or standard input, job options, DEVICE_URI and PRINTER
# in the environment, the messages on stderr, the exit status, the audit
# line, SIGTERM.  Failures print an ERROR: line, write nothing and never
# show a password.
. "$(dirname "$0")/../cli/lib.sh"
. "$TESTS_DIR/lib.sh"

: "${ESEAL_FILTER:?set ESEAL_FILTER to the eseal-pdf filter}"
: "${ESEAL_BACKEND:?set ESEAL_BACKEND to the eseal-store backend}"
for t in pdfsig:poppler-utils qpdf:qpdf jq:jq python3:python3 \
    openssl:openssl sha256sum:coreutils; do
    need_tool "${t%%:*}" "${t#*:}"
done

make_pki
jp_cert
SECRET='pass-Ka9#q-never-logged'
openssl pkcs12 -export -inkey "$PKI/eseal-rsa.key" -in "$PKI/eseal-rsa.pem" \
    -passout "pass:$SECRET" -out "$T/seal.p12" 2>/dev/null ||
    fail "openssl pkcs12 -export"
mkdir -p "$T/etc" "$T/audit"
cat >"$T/etc/eseal.conf" <<EOF
[eseal]
default_profile = invoices

[profile invoices]
key = $PKI/eseal-rsa.key
certificate = $PKI/eseal-rsa.pem
chain = $PKI/chain.pem
audit = $T/audit/audit.log

[profile jp]
key = $PKI/jp.key
certificate = $PKI/jp.pem
chain = $PKI/chain.pem
audit = $T/audit/audit.log
visible = true

[profile p12]
key = $T/seal.p12
password = wrong-$SECRET

[profile nokey]
key = $T/missing.key
certificate = $PKI/eseal-rsa.pem

[profile noaudit]
key = $PKI/eseal-rsa.key
certificate = $PKI/eseal-rsa.pem
audit = $T/no-such-dir/audit.log
EOF
chmod 600 "$T/etc/eseal.conf"
URI="eseal-store:$T/store?profiles=invoices,jp,p12,nokey,noaudit&config=$T/etc/eseal.conf"
export DEVICE_URI=$URI PRINTER=sealed
PDF=$SAMPLES/classic.pdf

# filter ARGS...: runs the filter with stdout in $T/out.pdf.
filter() {
    LAST_CMD="eseal-pdf $*"
    "$ESEAL_FILTER" "$@" >"$T/out.pdf" 2>"$T/.stderr"
    RC=$?
}

# refused WHAT REGEX: the last run failed with an ERROR: line matching
# REGEX, wrote nothing, and showed no password.
refused() {
    [ "$RC" -eq 1 ] || fail "$1: exit status $RC, expected 1"
    [ ! -s "$T/out.pdf" ] || fail "$1: the filter wrote output"
    grep -aqE "^ERROR: eseal-pdf: .*$2" "$T/.stderr" ||
        fail "$1: no ERROR: line matching /$2/"
    assert_no_grep "$SECRET" "$T/.stderr" "$1: no password in the messages"
    ok "$1: $(grep -a "^ERROR:" "$T/.stderr" | head -n 1 | cut -c 1-110)"
}

# sealed_by FILE ORG: FILE is a valid sealed PDF whose signer is ORG.
sealed_by() {
    verify_json "$1" --offline --trust "$PKI/trust.pem"
    [ "$RC" -eq 0 ] || fail "eseal verify $1: $(cat "$T/report.json")"
    assert_json "$T/report.json" '.signatures[-1].signer.organization' "$2" \
        "$(basename "$1") sealed by $2"
    pdfsig_check "$1" 1
}

# ---- argv ------------------------------------------------------------------
say "the calling convention"
filter 1 alice title 1
[ "$RC" -eq 1 ] && grep -q '^Usage: ' "$T/.stderr" ||
    fail "5 arguments: status $RC, $(err)"
ok "too few arguments: usage, exit 1"
filter 1 alice title 1 "" "$PDF" extra
[ "$RC" -eq 1 ] && grep -q '^Usage: ' "$T/.stderr" || fail "8 arguments"
ok "too many arguments: usage, exit 1"
filter ../7 alice title 1 "" "$PDF"
refused "a job id that is not a number" "is not a job id"

ORG=$(subject_field "$PKI/eseal-rsa.pem" O)
say "the job file as argv[6], then on standard input"
filter 7 alice "Invoice 7" 1 "" "$PDF"
[ "$RC" -eq 0 ] || fail "filter with a file: $(err)"
assert_no_grep '^ERROR' "$T/.stderr" "no ERROR: line"
assert_grep '^INFO: eseal-pdf: job 7 sealed' "$T/.stderr" "an INFO: line"
assert_grep '^DEBUG: eseal-pdf: job 7 sealed with profile invoices: .*seal [0-9.]+ ms' \
    "$T/.stderr" "a DEBUG: line with the timings"
cp "$T/out.pdf" "$T/from-file.pdf"
sealed_by "$T/from-file.pdf" "$ORG"
is_prefix "$PDF" "$T/from-file.pdf" || fail "the input is not a prefix"
ok "the input is a byte prefix of the output (incremental update)"
LAST_CMD="eseal-pdf < classic.pdf"
"$ESEAL_FILTER" 8 alice "Invoice 8" 1 "" <"$PDF" >"$T/out.pdf" \
    2>"$T/.stderr"
RC=$?
[ "$RC" -eq 0 ] || fail "filter on stdin: $(err)"
cp "$T/out.pdf" "$T/from-stdin.pdf"
sealed_by "$T/from-stdin.pdf" "$ORG"

say "job options choose a profile among the queue's"
filter 9 bob "jp" 1 "number-up=1 eseal-profile=jp job-uuid=x" "$PDF"
[ "$RC" -eq 0 ] || fail "eseal-profile=jp: $(err)"
cp "$T/out.pdf" "$T/jp.pdf"
sealed_by "$T/jp.pdf" "$JP_ORG"
assert_grep '/Subtype /Form' "$T/jp.pdf" "the jp profile's visible stamp"
filter 10 bob t 1 "eseal-profile=other" "$PDF"
refused "a profile outside the queue's list" \
    "profile 'other' is not allowed on queue sealed \(allowed: invoices, jp, p12, nokey, noaudit\)"
DEVICE_URI="eseal-store:$T/store?config=$T/etc/eseal.conf" \
    filter 11 bob t 1 "eseal-profile=jp" "$PDF"
refused "no list in the URI: only the configuration's default profile" \
    "profile 'jp' is not allowed .*\(allowed: invoices\)"
DEVICE_URI="eseal-store:$T/store?config=$T/etc/eseal.conf" \
    filter 12 bob t 1 "" "$PDF"
[ "$RC" -eq 0 ] || fail "the default profile: $(err)"
ok "no list and no option: the configuration's default profile seals"

say "queue settings"
DEVICE_URI="eseal-store:relative" filter 13 bob t 1 "" "$PDF"
refused "a malformed device URI" "device URI: the store must be an absolute"
DEVICE_URI="eseal-store:$T/store?config=$T/missing.conf" \
    filter 14 bob t 1 "" "$PDF"
refused "a missing configuration file" "missing.conf: cannot open"
if [ ! -e /etc/eseal/eseal.conf ]; then
    DEVICE_URI="file:///dev/null" filter 15 bob t 1 "" "$PDF"
    refused "another backend: the default configuration file" \
        "/etc/eseal/eseal.conf: cannot open"
else
    say "note: /etc/eseal/eseal.conf exists here; its use is not checked"
fi

# ---- failures --------------------------------------------------------------
say "failed seals stop the job with an ERROR: line and no output"
filter 20 alice t 1 "eseal-profile=p12" "$PDF"
refused "a wrong PKCS#12 password (in the configuration)" "profile p12: .*"
filter 21 alice t 1 "eseal-profile=nokey" "$PDF"
refused "a missing key file" "profile nokey: .*missing.key"
filter 22 alice t 1 "" "$T/nonexistent.pdf"
refused "an unreadable job file" "cannot open the job file"
: >"$T/empty"
filter 23 alice t 1 "" "$T/empty"
refused "an empty job" "job 23 is empty"
printf 'not a PDF\n' >"$T/text.txt"
filter 24 alice t 1 "" "$T/text.txt"
refused "a job that is not a PDF" "job 24: cannot seal the document"
filter 25 alice t 1 "" "$SAMPLES/encrypted.pdf"
refused "an encrypted PDF" "job 25: cannot seal the document: .*encrypted"
filter 26 alice t 1 "eseal-profile=noaudit" "$PDF"
refused "an audit log that cannot be written" \
    "job 26: .*no-such-dir/audit.log: cannot open the audit log"

# ---- the audit log ---------------------------------------------------------
say "audit lines"
AUDIT=$T/audit/audit.log
assert_file "$AUDIT"
assert_no_grep "$SECRET" "$AUDIT" "no password in the audit log"
n=$(wc -l <"$AUDIT")
# one line per sealed job of the invoices and jp profiles (7, 8, 9); the
# default-profile runs of jobs 12 and later write theirs too
jq -e -s 'map(.context.job_id) == ["7", "8", "9", "12"]' "$AUDIT" \
    >/dev/null || fail "audit job ids: $(jq -c -s 'map(.context.job_id)' \
    "$AUDIT")"
ok "one audit line per sealed job, none for failed ones ($n lines)"
python3 -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line)' "$AUDIT" || fail "an audit line is not JSON"
ok "every audit line is one JSON object (python3 json)"
jq -e -s '.[2] | .context == {"queue": "sealed", "job_id": "9",
        "user": "bob", "title": "jp"}
    and .profile == "jp" and .result == "sealed" and .error == null
    and .format == "pdf" and .level == "B-B" and .input == "'"$PDF"'"
    and (.host | length > 0) and (.pid | type == "number")
    and .certificate.serial != null and .certificate.issuer != null
    and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' \
    "$AUDIT" >/dev/null || fail "audit line of job 9: $(sed -n 3p "$AUDIT")"
ok "audit line: time, host, pid, input, format, level, certificate," \
    "profile, result; context: queue, job id, user, title"
want=$(sha256sum "$T/jp.pdf" | cut -d' ' -f1)
assert_eq "$(jq -r -s '.[2].output_sha256' "$AUDIT")" "$want" \
    "audit line: the SHA-256 of the sealed output"
assert_eq "$(jq -r -s '.[2].output_size' "$AUDIT")" \
    "$(stat -c %s "$T/jp.pdf")" "audit line: the output's size"
assert_eq "$(jq -r -s '.[2].input_sha256' "$AUDIT")" \
    "$(sha256sum "$PDF" | cut -d' ' -f1)" "audit line: the SHA-256 of the input"
assert_eq "$(jq -r -s '.[2].input_size' "$AUDIT")" "$(stat -c %s "$PDF")" \
    "audit line: the input's size"
title=$'Q"4 \\ report\n2nd line \xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8 \xff'
filter 30 "carol" "$title" 1 "" "$PDF"
[ "$RC" -eq 0 ] || fail "odd title: $(err)"
tail -n 1 "$AUDIT" |
    jq -e '.context.title == "Q\"4 \\ report\n2nd line 請求書 \ufffd"' \
    >/dev/null || fail "title in JSON: $(tail -n 1 "$AUDIT")"
ok "a title with quotes, a newline, Japanese and a bad byte stays one JSON line"
assert_grep '^NOTICE: eseal-pdf: audit: job 30 sealed with profile '\
'invoices, [0-9]+ bytes, SHA-256 [0-9a-f]{64}$' \
    "$T/.stderr" "the seal goes to the CUPS log too (NOTICE:)"

# ---- cancel ------------------------------------------------------------------
say "SIGTERM cancels the job before anything is written"
mkfifo "$T/fifo"
"$ESEAL_FILTER" 31 alice t 1 "" <"$T/fifo" >"$T/out.pdf" 2>"$T/.stderr" &
pid=$!
exec 9>"$T/fifo"
head -c 100 "$PDF" >&9
# once the filter catches SIGTERM (SigCgt bit 15), it is reading the job
for i in $(seq 300); do
    cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
    [ -n "$cgt" ] && (( 0x$cgt & 0x4000 )) && break
    sleep 0.1
done
sleep 0.2
kill -TERM "$pid"
wait "$pid"
RC=$?
exec 9>&-
[ "$RC" -eq 1 ] || fail "SIGTERM: exit $RC"
[ ! -s "$T/out.pdf" ] || fail "SIGTERM: output written"
assert_grep '^INFO: eseal-pdf: job 31 canceled, nothing written' \
    "$T/.stderr" "SIGTERM: exit 1, nothing written, INFO: line"

# ---- the backend -------------------------------------------------------------
say "the eseal-store backend"
run "$ESEAL_BACKEND"
assert_eq "$(out)" 'file eseal-store "eseal" "eseal sealed PDF store"' \
    "without arguments: the device line lpinfo shows"
mkdir -p "$T/store"
# backend JOB USER TITLE INPUT: runs the backend on INPUT (stdin).
backend() {
    LAST_CMD="eseal-store $1 $2 $3 < $4"
    "$ESEAL_BACKEND" "$1" "$2" "$3" 1 "" <"$4" >"$T/.stdout" \
        2>"$T/.stderr"
    RC=$?
}
DEVICE_URI="eseal-store:$T/store" backend 7 alice "Invoice 7.pdf" \
    "$T/from-file.pdf"
[ "$RC" -eq 0 ] || fail "backend store: $(err)"
assert_file "$T/store/7-Invoice_7.pdf" "stored as JOB-TITLE.pdf"
cmp -s "$T/store/7-Invoice_7.pdf" "$T/from-file.pdf" ||
    fail "the stored file differs"
assert_eq "$(stat -c %a "$T/store/7-Invoice_7.pdf")" 640 "per queue: mode 640"
DEVICE_URI="eseal-store:$T/store" backend 7 alice "Invoice 7.pdf" \
    "$T/from-file.pdf"
assert_file "$T/store/7-Invoice_7-2.pdf" "an existing name is never replaced"
DEVICE_URI="eseal-store:$T/store?per=user" backend 9 bob "../../x" \
    "$T/jp.pdf"
[ "$RC" -eq 0 ] || fail "backend per user: $(err)"
assert_file "$T/store/bob/9-_.._x.pdf" "per user: STORE/USER/JOB-TITLE.pdf"
assert_eq "$(stat -c %a "$T/store/bob")" 700 "per user: the directory is 700"
assert_eq "$(stat -c %a "$T/store/bob/9-_.._x.pdf")" 600 "per user: mode 600"
DEVICE_URI="eseal-store:$T/store?per=user" backend 9 "../evil" t \
    "$T/jp.pdf"
[ "$RC" -ne 0 ] || fail "a user name with a slash was accepted"
ok "a user name that is not a plain name: refused (exit $RC)"

before=$(find "$T/store" -type f | wc -l)
DEVICE_URI="eseal-store:$T/store" backend 40 alice plain "$PDF"
assert_eq "$RC" 5 "an unsealed PDF: CUPS_BACKEND_CANCEL"
assert_grep '^ERROR: eseal-store: job 40: the data is not a sealed PDF' \
    "$T/.stderr" "... with an ERROR: line"
python3 - "$T/from-file.pdf" "$T/tampered.pdf" <<'EOF' || fail "tamper"
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"eseal sample")
d[i] ^= 0x20
open(sys.argv[2], "wb").write(bytes(d))
EOF
DEVICE_URI="eseal-store:$T/store" backend 41 alice tampered "$T/tampered.pdf"
assert_eq "$RC" 5 "a sealed PDF changed afterwards: refused"
DEVICE_URI="eseal-store:$T/store" backend 42 alice empty "$T/empty"
assert_eq "$RC" 0 "no data (a filter failed): exit 0, the filter's error stops the job"
assert_grep '^INFO: eseal-store: job 42: no data, nothing stored' "$T/.stderr" \
    "... saying nothing was stored"
DEVICE_URI="eseal-store:$T/store" backend 43 alice text "$T/text.txt"
assert_eq "$RC" 5 "not a PDF at all: refused"
assert_eq "$(find "$T/store" -type f | wc -l)" "$before" \
    "nothing stored for refused data, no temporary file left"
DEVICE_URI="file:///tmp" backend 44 alice t "$T/from-file.pdf"
assert_eq "$RC" 4 "a device URI of another scheme: CUPS_BACKEND_STOP"
DEVICE_URI="eseal-store:$T/missing-dir" backend 45 alice t "$T/from-file.pdf"
[ "$RC" -eq 1 ] && grep -q 'missing-dir.*create the queue' "$T/.stderr" ||
    fail "a missing store directory: $RC $(err)"
ok "a missing store directory: CUPS_BACKEND_FAILED with an ERROR: line"

done_ok
