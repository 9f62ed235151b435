#!/bin/bash
# Signals during a batch: SIGINT and SIGTERM finish the documents in flight,
# commit them, leave no temporary file and report what was not sealed; a
# second SIGINT stops at once; SIGKILL at any moment leaves only complete
# sealed files and no temporary file.
. "$(dirname "$0")/lib.sh"
need_tool jq jq

make_pki
rsa_args
N=3000
make_docs docs "$N"
ok "$N documents to seal"

# interrupt SIGNAL DIR: starts a batch into DIR, sends SIGNAL once some
# outputs exist, waits for it; its status in RC.
interrupt() {
    local sig=$1 dir=$2 pid
    rm -rf "$dir" "$dir.log"
    mkdir -p "$dir"
    LAST_CMD="eseal seal --jobs 2 --audit $dir.log --out-dir $dir docs (kill -$sig)"
    "$ESEAL" seal "${KEYARGS[@]}" --jobs 2 --audit "$dir.log" \
        --out-dir "$dir" docs >"$T/.stdout" 2>"$T/.stderr" &
    pid=$!
    wait_for_files "$dir" 20 60 || fail "$sig: no output appeared"
    kill -"$sig" "$pid"
    wait "$pid"
    RC=$?
}

# check_partial DIR WHAT: what is in DIR is complete, sealed, committed and
# recorded; returns the number of outputs in N_OUT.
check_partial() {
    local dir=$1 what=$2
    N_OUT=$(find "$dir" -type f | wc -l)
    [ "$N_OUT" -gt 0 ] || fail "$what: no output at all"
    [ "$N_OUT" -lt "$N" ] ||
        fail "$what: the batch ended before the signal (machine too fast?)"
    no_temp_files "$dir" "$what"
    all_verify "$dir" "$what"
}

for sig in INT TERM; do
    say "SIG$sig finishes the documents in flight"
    interrupt "$sig" "out-$sig"
    expect_rc 1 "an interrupted batch exits 1"
    assert_grep "^eseal: (interrupted|terminated): finishing the [0-9]+ document\(s\) in progress" \
        "$T/.stderr" "it says it is finishing"
    read -r sealed total failed <<<"$(summary_counts)"
    assert_eq "$total" "$N" "the summary counts all $N documents"
    assert_eq "$failed" 0 "none failed"
    assert_grep "[0-9]+ not started \(interrupted\)" "$T/.stderr" \
        "the summary says how many were not started"
    check_partial "out-$sig" "SIG$sig"
    assert_eq "$N_OUT" "$sealed" "every document reported sealed is there"
    assert_eq "$(jq -r 'select(.result == "sealed") | .output' "out-$sig.log" | wc -l)" \
        "$sealed" "every sealed document has its audit line"
    jq -e . "out-$sig.log" >/dev/null || fail "a torn audit line"
done

say "a second SIGINT stops at once"
# another process holds the audit log: the batch's first commit waits
need_tool flock util-linux
rm -rf out-twice && mkdir out-twice
: >twice.log
flock twice.log sleep 30 &
holder=$!
sleep 0.2
"$ESEAL" seal "${KEYARGS[@]}" --jobs 2 --audit twice.log --out-dir out-twice \
    docs 2>"$T/.stderr" &
pid=$!
sleep 1
kill -INT "$pid"
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "one SIGINT ended a batch stuck in a commit"
ok "after one SIGINT the batch waits for its commit"
kill -INT "$pid"
wait "$pid"
RC=$?
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
expect_rc 130 "the second SIGINT ends it at once"
assert_eq "$(find out-twice -type f | wc -l)" 0 \
    "no output appeared: none had its audit line"
no_temp_files out-twice "two SIGINTs"
assert_eq "$(wc -c <twice.log)" 0 "the audit log is untouched"

say "SIGKILL at any moment leaves only complete sealed files"
for delay in 5 40 120; do
    dir=out-kill-$delay
    rm -rf "$dir" && mkdir "$dir"
    "$ESEAL" seal "${KEYARGS[@]}" --jobs 2 --out-dir "$dir" docs \
        2>/dev/null &
    pid=$!
    wait_for_files "$dir" "$delay" 60 || fail "no output appeared"
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    check_partial "$dir" "SIGKILL after $delay outputs"
done

say "SIGKILL during sealing in place leaves every file whole"
rm -rf ip && mkdir ip
make_docs ip 1500
"$ESEAL" seal "${KEYARGS[@]}" --jobs 2 --in-place ip 2>/dev/null &
pid=$!
size=$(stat -c %s "$SMALL_PDF")
for _ in $(seq 1000); do
    [ "$(find ip -name '*.pdf' ! -size "${size}c" | wc -l)" -ge 30 ] && break
    sleep 0.02
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
no_temp_files ip "SIGKILL in place"
sealed=0
for f in ip/*.pdf; do
    if cmp -s "$SMALL_PDF" "$f"; then
        continue
    fi
    is_prefix "$SMALL_PDF" "$f" || fail "$f is neither the original nor sealed"
    sealed=$((sealed + 1))
done
[ "$sealed" -gt 0 ] && [ "$sealed" -lt 1500 ] ||
    fail "SIGKILL in place: $sealed of 1500 sealed (expected some, not all)"
ok "SIGKILL in place: $sealed files sealed, the rest untouched"
mkdir -p ipv
for f in ip/*.pdf; do
    cmp -s "$SMALL_PDF" "$f" || cp "$f" ipv/
done
all_verify ipv "the files sealed in place"

done_ok
