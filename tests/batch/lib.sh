# Helpers of the batch, audit, signal and PKCS#11 tests (bash).  Sources
# the CLI tests' helpers (run, expect_rc, make_pki, pdfsig_check...).
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

SMALL_PDF=$SAMPLES/classic.pdf
XML_SAMPLE=$SOURCE_ROOT/samples/xml/invoice-cii.xml

# make_docs DIR N [PREFIX]: N copies of the small sample PDF in DIR.
make_docs() {
    local d=$1 n=$2 p=${3:-doc} i
    mkdir -p "$d"
    for ((i = 1; i <= n; i++)); do
        cp "$SMALL_PDF" "$d/$p$(printf '%05d' "$i").pdf"
    done
}

# no_temp_files DIR WHAT: no temporary output is left under DIR.
no_temp_files() {
    local left
    left=$(find "$1" -name '.eseal-*' | head -n 5)
    [ -z "$left" ] || fail "$2: temporary files left: $left"
    ok "$2: no temporary file left"
}

# all_verify DIR WHAT: every *.pdf / *.xml under DIR is a complete sealed
# document that verifies (one eseal verify run over all of them).
all_verify() {
    local files
    mapfile -t files < <(find "$1" -type f \( -iname '*.pdf' -o -iname '*.xml' \) | sort)
    [ "${#files[@]}" -gt 0 ] || fail "$2: no output under $1"
    run "$ESEAL" verify --json --trust "$PKI/trust.pem" "${files[@]}"
    cp "$T/.stdout" "$T/all.json"
    if [ "${#files[@]}" -eq 1 ]; then
        assert_json "$T/all.json" '.valid' true "$2: the output verifies"
    else
        assert_json "$T/all.json" '[.[].valid] | all' true \
            "$2: all ${#files[@]} outputs verify"
    fi
    [ "$RC" -eq 0 ] || fail "$2: eseal verify exited $RC"
}

# summary_counts: "SEALED TOTAL FAILED" from the last run's summary line.
summary_counts() {
    sed -nE 's/^eseal: sealed ([0-9]+) of ([0-9]+) documents, ([0-9]+) failed.*/\1 \2 \3/p' \
        "$T/.stderr" | tail -n 1
}

# rsa_args: KEYARGS for the demo RSA key.
rsa_args() {
    KEYARGS=(--key "$PKI/eseal-rsa.key" --cert "$PKI/eseal-rsa.pem"
        --chain "$PKI/chain.pem")
}

# wait_for_files DIR N SECONDS: waits until DIR holds N files (or more).
wait_for_files() {
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        [ "$(find "$1" -type f -name '*.pdf' | wc -l)" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}
