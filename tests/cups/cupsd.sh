# A private cupsd for the tests (bash, sourced after lib.sh): its own
# ServerRoot, spool, cache, state and logs under $CUPS_DIR, listening on
# 127.0.0.1:$CUPS_PORT and on a domain socket that the clients reach
# through CUPS_SERVER.  ServerBin is a tree of symbolic links to
# /usr/lib/cups plus copies of the project's filter and backend (cupsd
# runs filters only when they and their directory are root-owned and not
# writable by others, and a backend as root only when its mode is 0700).
#
# As root, cupsd runs filters as lp:lp (as a Debian system does); as
# another user, everything runs as that user.

# cupsd_start: writes the configuration and starts cupsd in the foreground
# (in the background of this shell); waits until it answers.
cupsd_start() {
    local f n d user_lines=""
    need_tool cupsd cups-daemon
    for f in lpadmin:cups-client lp:cups-client lpstat:cups-client \
        cancel:cups-client ipptool:cups-ipp-utils; do
        need_tool "${f%%:*}" "${f#*:}"
    done
    for f in texttopdf pdftopdf gstopdf imagetopdf; do
        [ -x "/usr/lib/cups/filter/$f" ] ||
            fail "/usr/lib/cups/filter/$f missing: apt-get install cups-filters"
    done
    CUPS_DIR=$T/cups
    rm -rf "$CUPS_DIR"
    mkdir -p "$CUPS_DIR"/{etc,spool/tmp,log,cache,state,bin/filter,bin/backend}
    chmod 755 "$CUPS_DIR" "$CUPS_DIR"/*
    for d in /usr/lib/cups/*; do
        n=$(basename "$d")
        case $n in
        filter|backend)
            for f in "$d"/*; do ln -s "$f" "$CUPS_DIR/bin/$n/"; done ;;
        *) ln -s "$d" "$CUPS_DIR/bin/$n" ;;
        esac
    done
    # installed copies: root-owned, RUNPATH $ORIGIN/.. finds the library
    cp -L "$ESEAL_LIBDIR/libeseal.so.0" "$CUPS_DIR/bin/libeseal.so.0"
    install -m 755 "$ESEAL_FILTER" "$CUPS_DIR/bin/filter/eseal-pdf"
    install -m 700 "$ESEAL_BACKEND" "$CUPS_DIR/bin/backend/eseal-store"
    CUPS_PORT=$(python3 -c 'import socket; s = socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$(id -u)" -eq 0 ]; then
        getent group lpadmin >/dev/null || fail "no lpadmin group (cups-daemon)"
        user_lines="User lp
Group lp
SystemGroup root lpadmin"
    fi
    cat >"$CUPS_DIR/etc/cups-files.conf" <<EOF
$user_lines
FileDevice Yes
Printcap
ServerRoot $CUPS_DIR/etc
StateDir $CUPS_DIR/state
CacheDir $CUPS_DIR/cache
DataDir /usr/share/cups
ServerBin $CUPS_DIR/bin
RequestRoot $CUPS_DIR/spool
TempDir $CUPS_DIR/spool/tmp
AccessLog $CUPS_DIR/log/access_log
ErrorLog $CUPS_DIR/log/error_log
PageLog $CUPS_DIR/log/page_log
EOF
    cat >"$CUPS_DIR/etc/cupsd.conf" <<EOF
LogLevel debug
LogTimeFormat usecs
MaxLogSize 0
Listen 127.0.0.1:$CUPS_PORT
Listen $CUPS_DIR/cups.sock
Browsing Off
WebInterface No
PreserveJobHistory Yes
PreserveJobFiles No
DefaultAuthType None
<Location />
  Order deny,allow
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
    run cupsd -t -s "$CUPS_DIR/etc/cups-files.conf" -c "$CUPS_DIR/etc/cupsd.conf"
    [ "$RC" -eq 0 ] || fail "cupsd -t: the test configuration is refused"
    export CUPS_SERVER=$CUPS_DIR/cups.sock
    cupsd -f -s "$CUPS_DIR/etc/cups-files.conf" -c "$CUPS_DIR/etc/cupsd.conf" \
        >"$CUPS_DIR/log/cupsd.out" 2>&1 &
    CUPSD_PID=$!
    for n in $(seq 100); do
        lpstat -r 2>/dev/null | grep 'is running' >/dev/null && break
        kill -0 "$CUPSD_PID" 2>/dev/null ||
            fail "cupsd exited: $(cat "$CUPS_DIR/log/cupsd.out")"
        sleep 0.1
    done
    lpstat -r 2>/dev/null | grep 'is running' >/dev/null ||
        fail "cupsd does not answer on $CUPS_SERVER"
    ok "private cupsd (pid $CUPSD_PID) on 127.0.0.1:$CUPS_PORT"
}

# cupsd_stop: stops the cupsd this test started (by its pid).
cupsd_stop() {
    if [ -n "${CUPSD_PID:-}" ]; then
        kill "$CUPSD_PID" 2>/dev/null
        wait "$CUPSD_PID" 2>/dev/null
        CUPSD_PID=
    fi
}

# as_filter_user CMD...: runs CMD as the user cupsd runs filters as.
as_filter_user() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=lp --regid=lp --clear-groups "$@"
    else
        "$@"
    fi
}

# job_state ID: the job's state (completed, processing-stopped, ...),
# asked over IPP.
job_state() {
    ipptool -c -d "job=$1" "ipp://127.0.0.1:$CUPS_PORT/printers/${2:-sealed}" \
        "$CUPS_TESTS/job-state.test" 2>/dev/null | sed -n 2p | cut -d, -f1
}

# wait_job ID [QUEUE]: waits (up to 120 s) until the job has ended or
# stopped; prints its state.
wait_job() {
    local i s
    for i in $(seq 1200); do
        s=$(job_state "$1" "${2:-sealed}")
        case $s in
        completed|canceled|aborted|processing-stopped) echo "$s"; return ;;
        esac
        sleep 0.1
    done
    echo "timeout:$s"
}

# submit ARGS...: lp with ARGS; sets JOB to the new job's id.
submit() {
    run lp "$@"
    [ "$RC" -eq 0 ] || fail "lp $*"
    JOB=$(sed -n 's/^request id is [^ ]*-\([0-9]*\) .*/\1/p' "$T/.stdout")
    [ -n "$JOB" ] || fail "lp printed no job id: $(out)"
}

# log_time ID PATTERN: the time (seconds, microseconds) of the first
# error_log line of job ID matching PATTERN.
log_time() {
    grep -a "\[Job $1\] $2" "$CUPS_DIR/log/error_log" | head -n 1 |
        sed -n 's/^. \[[^:]*:\([0-9]*\):\([0-9]*\):\([0-9.]*\) .*/\1 \2 \3/p' |
        awk '{ printf "%.6f\n", $1 * 3600 + $2 * 60 + $3 }'
}
