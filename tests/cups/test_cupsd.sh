#!/bin/bash
# A sealed-PDF queue on a real, private cupsd (127.0.0.1): the queue made
# with the project's PPD, filter and backend as docs/cups.md says; text,
# PDF, PostScript and image jobs printed with lp come out sealed in the
# store (eseal verify, pdfsig, qpdf --check), with one audit line each;
# a broken key, a profile outside the queue's list and a user the queue
# does not allow fail with the error in the log and no output; the store
# refuses what is not sealed; no password appears in any log.  Prints the
# time a 1-page and a 100-page job spend in the filter beside the whole
# job's time (figures, not checks).
. "$(dirname "$0")/../cli/lib.sh"
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/cupsd.sh"

: "${ESEAL_FILTER:?set ESEAL_FILTER}" "${ESEAL_BACKEND:?set ESEAL_BACKEND}"
: "${ESEAL_LIBDIR:?set ESEAL_LIBDIR to the directory of libeseal.so.0}"
for t in pdfsig:poppler-utils pdftotext:poppler-utils qpdf:qpdf jq:jq \
    python3:python3 openssl:openssl gs:ghostscript bc:bc; do
    need_tool "${t%%:*}" "${t#*:}"
done
trap 'cupsd_stop' EXIT

make_pki
jp_cert
SECRET='pin-Zq7!never-in-a-log'
openssl pkcs12 -export -inkey "$PKI/eseal-rsa.key" -in "$PKI/eseal-rsa.pem" \
    -passout "pass:$SECRET" -out "$T/seal.p12" 2>/dev/null ||
    fail "openssl pkcs12 -export"

cupsd_start

# /etc/eseal as docs/cups.md sets it up: the configuration and the keys
# readable by the filter's user only (and root), the audit log its own.
E=$T/eseal
mkdir -p "$E" "$T/audit" "$T/store" "$T/store2"
cp "$T/seal.p12" "$PKI/jp.key" "$PKI/jp.pem" "$PKI/chain.pem" "$E/"
seal_png "$E/seal.png"
cat >"$E/eseal.conf" <<EOF
[profile invoices]
key = seal.p12
password = $SECRET
chain = chain.pem
visible = true
timezone = Asia/Tokyo
audit = $T/audit/audit.log

[profile jp]
key = jp.key
certificate = jp.pem
chain = chain.pem
visible = true
visible_image = seal.png
timezone = Asia/Tokyo
audit = $T/audit/audit.log

[profile broken]
key = seal.p12
password = wrong-$SECRET
audit = $T/audit/audit.log

[profile other]
key = jp.key
certificate = jp.pem
audit = $T/audit/audit.log
EOF
chmod 600 "$E/eseal.conf" "$E/seal.p12" "$E/jp.key"
if [ "$(id -u)" -eq 0 ]; then
    chown lp:lp "$E/eseal.conf" "$E/seal.p12" "$E/jp.key" "$T/audit"
    as_filter_user test -r "$E/eseal.conf" ||
        fail "the lp user cannot reach $E: the build tree must be" \
            "searchable by others (cupsd runs filters as lp)"
fi
ok "configuration and keys private to the filter's user (mode 600)"

# the PPD passes cupstestppd, with the filter where meson installs it
need_tool cupstestppd cups-client
mkdir -p "$T/root/usr/lib/cups/filter"
ln -sf "$ESEAL_FILTER" "$T/root/usr/lib/cups/filter/eseal-pdf"
run cupstestppd -R "$T/root" "$PPD"
[ "$RC" -eq 0 ] || fail "cupstestppd $PPD"
ok "cupstestppd: PASS"

# the queue, in one command (docs/cups.md)
run lpadmin -p sealed -E \
    -v "eseal-store:$T/store?profiles=invoices,jp,broken&per=user&config=$E/eseal.conf" \
    -P "$PPD" -u allow:alice,bob,nobody
[ "$RC" -eq 0 ] || fail "lpadmin -p sealed"
ok "queue 'sealed' created with the project's PPD and backend"
# a queue without the filter (raw) that stores into an eseal-store
run lpadmin -p plain -E -v "eseal-store:$T/store2" -m raw
[ "$RC" -eq 0 ] || fail "lpadmin -p plain"

# ---- jobs that seal ----------------------------------------------------------
printf 'Quarterly report\nRevenue: 1,234,567 JPY\n' >"$T/report.txt"
cat >"$T/page.ps" <<'EOF'
%!PS-Adobe-3.0
%%Pages: 1
%%EndComments
%%Page: 1 1
/Helvetica findfont 24 scalefont setfont
72 700 moveto (PostScript job for the sealed queue) show
showpage
%%EOF
EOF
seal_png "$T/picture.png"

say "text, PDF, PostScript and image jobs"
declare -A JOBS USERS TITLES PROFILES
submit -d sealed -U alice -t "Quarterly report" "$T/report.txt"
JOBS[text]=$JOB USERS[text]=alice TITLES[text]="Quarterly report" PROFILES[text]=invoices
submit -d sealed -U bob -o eseal-profile=jp "$SAMPLES/classic.pdf"
JOBS[pdf]=$JOB USERS[pdf]=bob TITLES[pdf]=classic.pdf PROFILES[pdf]=jp
submit -d sealed -U alice -t "PS job" "$T/page.ps"
JOBS[ps]=$JOB USERS[ps]=alice TITLES[ps]="PS job" PROFILES[ps]=invoices
submit -d sealed -U bob -t "a picture" "$T/picture.png"
JOBS[image]=$JOB USERS[image]=bob TITLES[image]="a picture" PROFILES[image]=invoices

ORG=$(subject_field "$PKI/eseal-rsa.pem" O)
for kind in text pdf ps image; do
    j=${JOBS[$kind]}
    s=$(wait_job "$j")
    [ "$s" = completed ] ||
        fail "$kind job $j: $s: $(grep -a "\[Job $j\]" "$CUPS_DIR/log/error_log" |
            grep -aE '^(E|W) ' | head -n 5)"
    f=$(find "$T/store/${USERS[$kind]}" -name "$j-*.pdf")
    [ -n "$f" ] && [ "$(echo "$f" | wc -l)" -eq 1 ] ||
        fail "$kind job $j: stored file: '$f'"
    safe=$(echo "${TITLES[$kind]}" | sed 's/ /_/g; s/\.pdf$//')
    assert_eq "$(basename "$f")" "$j-$safe.pdf" \
        "$kind job $j completed: store/${USERS[$kind]}/$j-$safe.pdf"
    verify_json "$f" --offline --trust "$PKI/trust.pem"
    [ "$RC" -eq 0 ] || fail "eseal verify $f: $(cat "$T/report.json")"
    want=$ORG
    [ "${PROFILES[$kind]}" = jp ] && want=$JP_ORG
    assert_json "$T/report.json" '.signatures[0].signer.organization' "$want" \
        "$kind job: eseal verify: valid, sealed by $want"
    pdfsig_check "$f" 1
    qpdf_ok "$f" || fail "qpdf --check $f"
    ok "$kind job: qpdf --check"
    pdftotext "$f" - | grep -F "$want" >/dev/null ||
        fail "$kind job: the stamp text is not in the PDF"
    ok "$kind job: the visible stamp names $want"
done
pdftotext "$(find "$T/store/alice" -name "${JOBS[ps]}-*.pdf")" - |
    grep -q 'PostScript job for the sealed queue' || fail "the PS content"
ok "the PostScript job's PDF holds its text"

if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null; then
    say "a user of this host gets the directory and the file"
    submit -d sealed -U nobody -t "for nobody" "$SAMPLES/classic.pdf"
    s=$(wait_job "$JOB")
    [ "$s" = completed ] || fail "job $JOB by nobody: $s"
    assert_eq "$(stat -c '%U %a' "$T/store/nobody")" "nobody 700" \
        "per=user: store/nobody belongs to nobody, mode 700"
    assert_eq "$(stat -c '%U %a' "$T/store/nobody/$JOB-for_nobody.pdf")" \
        "nobody 600" "per=user: the sealed PDF belongs to nobody, mode 600"
fi

say "audit lines match the jobs"
AUDIT=$T/audit/audit.log
assert_file "$AUDIT"
for kind in text pdf ps image; do
    j=${JOBS[$kind]}
    line=$(jq -c "select(.context.job_id == \"$j\")" "$AUDIT")
    [ "$(echo "$line" | grep -c .)" -eq 1 ] ||
        fail "audit lines for job $j: '$line'"
    f=$(find "$T/store/${USERS[$kind]}" -name "$j-*.pdf")
    echo "$line" | jq -e --arg u "${USERS[$kind]}" --arg t "${TITLES[$kind]}" \
        --arg p "${PROFILES[$kind]}" --arg h "$(sha256sum "$f" | cut -d' ' -f1)" \
        --arg j "$j" --arg s "$(stat -c %s "$f")" \
        '.context == {"queue": "sealed", "job_id": $j, "user": $u,
                      "title": $t}
         and .profile == $p and .output_sha256 == $h
         and .output_size == ($s | tonumber) and .input_size > 0
         and (.input_sha256 | test("^[0-9a-f]{64}$"))
         and .format == "pdf" and .certificate.serial != null
         and .result == "sealed"' >/dev/null ||
        fail "audit line of job $j: $line"
    ok "audit: job $j by ${USERS[$kind]}, '${TITLES[$kind]}', profile ${PROFILES[$kind]}, SHA-256 of the stored file"
done

# ---- jobs that must fail -------------------------------------------------------
say "failures stop the job, log why, store nothing"
# check_stopped ID REGEX WHAT
check_stopped() {
    local s
    s=$(wait_job "$1")
    [ "$s" = processing-stopped ] || fail "$3: job $1 is $s, not stopped"
    grep -aE "^E \[[^]]*\] \[Job $1\] eseal-pdf: $2" \
        "$CUPS_DIR/log/error_log" >/dev/null ||
        fail "$3: no ERROR line /$2/ for job $1 in the CUPS log"
    grep -aE "\[Job $1\] Job stopped due to filter errors" \
        "$CUPS_DIR/log/error_log" >/dev/null ||
        fail "$3: cupsd did not stop job $1 for the filter error"
    [ -z "$(find "$T/store" -name "$1-*")" ] || fail "$3: a file was stored"
    jq -e "select(.context.job_id == \"$1\")" "$AUDIT" >/dev/null &&
        fail "$3: an audit line for the failed job $1"
    ok "$3: job $1 stopped, ERROR in the log, nothing stored, no audit line"
}
submit -d sealed -U alice -o eseal-profile=broken -t "broken key" \
    "$T/report.txt"
check_stopped "$JOB" "profile broken: .*wrong password" \
    "a profile whose key password is wrong"
submit -d sealed -U bob -o eseal-profile=other "$T/report.txt"
check_stopped "$JOB" "profile .*other.* is not allowed on queue sealed" \
    "a profile outside the queue's list"
run lp -d sealed -U mallory "$T/report.txt"
[ "$RC" -ne 0 ] || fail "user mallory could print to the sealed queue"
ok "a user the queue does not allow (lpadmin -u allow:...) cannot print: $(head -c 100 "$T/.stderr")"

say "the store refuses what is not sealed"
submit -d plain -U alice -t "not sealed" "$SAMPLES/classic.pdf"
s=$(wait_job "$JOB" plain)
[ "$s" = canceled ] || fail "unsealed data on a raw queue: job is $s"
grep -aE "^E \[[^]]*\] \[Job $JOB\] eseal-store: job $JOB: the data is not a sealed PDF" \
    "$CUPS_DIR/log/error_log" >/dev/null || fail "no eseal-store ERROR line"
[ -z "$(find "$T/store2" -type f)" ] || fail "the store kept unsealed data"
ok "unsealed data: job canceled, ERROR in the log, nothing stored"

say "no password in any log"
for f in "$CUPS_DIR"/log/* "$AUDIT"; do
    assert_no_grep "$SECRET" "$f" "no password in $(basename "$f")"
done

# ---- time: 1 page and 100 pages ----------------------------------------------------
say "time in the sealing filter beside the whole job (not checked)"
pages 1 "$T/p1.pdf"
pages 100 "$T/p100.pdf"
seq -f 'line %g of a long text job' 40 >"$T/p1.txt"
seq -f 'line %g of a long text job' 6970 >"$T/p100.txt"
printf '%-18s %8s %8s %8s %8s %8s %9s %8s\n' job config read key seal \
    "filter" "filter'" job >"$T/timing.txt"
for job in p1.pdf p100.pdf p1.txt p100.txt; do
    for rep in 1 2 3; do
        submit -d sealed -U alice -t "timing $job" "$T/$job"
        s=$(wait_job "$JOB")
        [ "$s" = completed ] || fail "timing job $JOB: $s"
        line=$(grep -a "\[Job $JOB\] eseal-pdf: job $JOB sealed with" \
            "$CUPS_DIR/log/error_log")
        # config, read (waits for pdftopdf), key, seal, filter total (ms)
        read -r c r k sl tot <<<"$(echo "$line" | sed -n \
            's/.*config \([0-9.]*\) ms, read \([0-9.]*\) ms, key \([0-9.]*\) ms, seal \([0-9.]*\) ms, filter total \([0-9.]*\) ms.*/\1 \2 \3 \4 \5/p')"
        [ -n "$tot" ] || fail "no timing line for job $JOB"
        t0=$(log_time "$JOB" "Queued on")
        t1=$(log_time "$JOB" "Job completed")
        job_ms=$(echo "($t1 - $t0) * 1000" | bc)
        printf '%-18s %8.1f %8.1f %8.1f %8.1f %8.1f %9.1f %8.1f\n' \
            "$job ($(pdfinfo "$(find "$T/store/alice" -name "$JOB-*.pdf")" |
                sed -n 's/^Pages: *//p') p.)" "$c" "$r" "$k" "$sl" "$tot" \
            "$(echo "$tot - $r" | bc)" "$job_ms" >>"$T/timing.txt"
    done
done
echo "(ms; read waits for pdftopdf upstream; filter' = filter total" \
    "without that wait; job = queued to completed in cupsd's log)" \
    >>"$T/timing.txt"
sed 's/^/   /' "$T/timing.txt"

cupsd_stop
done_ok
