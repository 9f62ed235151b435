# Shared helpers of the nginx module's integration tests (bash).
#
# A test sources this file first:  . "$(dirname "$0")/lib.sh"
# Environment (meson sets it, see meson.build; set it by hand otherwise):
#   ESEAL               the eseal executable (verifies what nginx sealed)
#   ESEAL_NGINX_MODULE  the built ngx_http_eseal_module.so
#   ESEAL_LIBDIR        the directory of the libeseal.so it links
#   SOURCE_ROOT         the source tree (samples/ lives there)
#   TEST_TMPDIR         a scratch directory for this test (optional)
#   NGINX               the nginx binary (default /usr/sbin/nginx)
# Each test runs Debian's nginx on 127.0.0.1 with a private prefix under the
# scratch directory.  Every check prints what it checks; the first failure
# prints what went wrong and the end of nginx's error log, and exits 1.  A
# missing tool fails the test with the apt-get line that installs it.

set -u -o pipefail
export LC_ALL=C
umask 022

: "${ESEAL:?set ESEAL to the eseal executable}"
: "${ESEAL_NGINX_MODULE:?set ESEAL_NGINX_MODULE to ngx_http_eseal_module.so}"
: "${ESEAL_LIBDIR:?set ESEAL_LIBDIR to the directory of libeseal.so}"
: "${SOURCE_ROOT:?set SOURCE_ROOT to the source tree}"
NGINX=${NGINX:-/usr/sbin/nginx}
TEST_NAME=$(basename "$0" .sh)
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ -n "${TEST_TMPDIR:-}" ]; then
    T=$TEST_TMPDIR
    rm -rf "$T"
    mkdir -p "$T"
else
    T=$(mktemp -d "${TMPDIR:-/tmp}/eseal-nginx-$TEST_NAME.XXXXXX")
fi
chmod 755 "$T"
cd "$T" || exit 1

CHECKS=0
NGX_PREFIX=$T/nginx
NGX_PID=""
set -E
trap '[ $? -ne 127 ] || fail "a command was not found (see above)"' ERR
trap 'ngx_stop_quietly' EXIT

# ---- reporting ---------------------------------------------------------------

say() { printf '== %s\n' "$*"; }

ok() { CHECKS=$((CHECKS + 1)); printf '   ok: %s\n' "$*"; }

fail() {
    printf 'FAIL [%s]: %s\n' "$TEST_NAME" "$*" >&2
    if [ -n "${LAST_CMD:-}" ]; then
        printf '  last command: %s\n  exit status: %s\n' "$LAST_CMD" \
            "${RC:-?}" >&2
        [ -s "$T/.stderr" ] && head -c 3000 "$T/.stderr" | sed 's/^/    /' >&2
    fi
    if [ -s "$NGX_PREFIX/logs/error.log" ]; then
        echo "  nginx error log (end):" >&2
        tail -n 15 "$NGX_PREFIX/logs/error.log" | sed 's/^/    /' >&2
    fi
    exit 1
}

done_ok() {
    ngx_stop_quietly
    if grep -aqE 'ERROR: AddressSanitizer|runtime error:' \
        "$NGX_PREFIX/logs/stdout.log" 2>/dev/null; then
        NGX_PREFIX_LOG=$NGX_PREFIX/logs/stdout.log
        fail "a sanitizer report from nginx: $(grep -aE -A12 \
            'ERROR: AddressSanitizer|runtime error:' "$NGX_PREFIX_LOG" |
            head -n 30)"
    fi
    printf 'PASS [%s]: %d checks\n' "$TEST_NAME" "$CHECKS"
    cd / && rm -rf "$T"
    exit 0
}

need_tool() {
    command -v "$1" >/dev/null 2>&1 ||
        fail "$1 not found: install $2: apt-get install $2"
}

run() {
    LAST_CMD="$*"
    "$@" >"$T/.stdout" 2>"$T/.stderr"
    RC=$?
    return 0
}

assert_eq() {
    [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
    ok "$3"
}

assert_grep() {
    grep -aqE -- "$1" "$2" || fail "$3: /$1/ not found in $2"
    ok "$3"
}

assert_no_grep() {
    if grep -aqE -- "$1" "$2"; then
        fail "$3: /$1/ found in $2: $(grep -aE -- "$1" "$2" | head -n 3)"
    fi
    ok "$3"
}

# count PATTERN FILE: lines of FILE matching the extended regexp
count() { grep -acE -- "$1" "$2" 2>/dev/null || true; }

[ -x "$NGINX" ] || fail "$NGINX not found: apt-get install nginx"
[ -f "$ESEAL_NGINX_MODULE" ] ||
    fail "$ESEAL_NGINX_MODULE missing: apt-get install nginx-dev and rebuild"
need_tool curl curl
need_tool python3 python3
need_tool pdfsig poppler-utils
need_tool xmlsec1 xmlsec1
need_tool jq jq
need_tool openssl openssl

# A sanitizer build: libeseal needs the sanitizer runtimes loaded first;
# preload them into nginx only (nginx itself is not instrumented; its
# deliberate exit-time leaks are not reported).  Reports go to nginx's
# stderr (logs/stdout.log), which done_ok checks.
# ldd's list is read whole first: `ldd | grep -q` under pipefail fails
# whenever grep exits before ldd has written its last line (SIGPIPE), which
# left the preload out at random and had ASan abort nginx at start.
NGX_PRELOAD=""
ESEAL_NEEDS=$(ldd "$ESEAL_LIBDIR/libeseal.so" 2>/dev/null || true)
case $ESEAL_NEEDS in *libasan*)
    NGX_PRELOAD="$(gcc -print-file-name=libasan.so)"
    case $ESEAL_NEEDS in *libubsan*)
        NGX_PRELOAD="$NGX_PRELOAD $(gcc -print-file-name=libubsan.so)" ;;
    esac
    [ -f "${NGX_PRELOAD%% *}" ] ||
        fail "the ASan runtime for nginx is not found (gcc -print-file-name)"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ;;
esac

# The worker user: nginx drops root for its workers, and the tests check
# that they cannot read the key.
if [ "$(id -u)" = 0 ]; then
    NGX_USER="user nobody nogroup;"
    WORKER_USER=nobody
else
    NGX_USER=""
    WORKER_USER=$(id -un)
fi

# ---- fixtures ----------------------------------------------------------------

# make_pki: the demo PKI in $T/pki and the key material in $T/keys: keys of
# mode 0600 owned by whoever runs the test (root: unreadable to workers).
make_pki() {
    PKI=$T/pki
    run "$ESEAL" demo-pki "$PKI"
    [ "$RC" -eq 0 ] || fail "eseal demo-pki"
    KEYS=$T/keys
    mkdir -p "$KEYS"
    chmod 755 "$KEYS"
    cp "$PKI"/eseal-rsa.key "$PKI"/eseal-rsa.pem "$PKI"/eseal-ec.key \
        "$PKI"/eseal-ec.pem "$PKI"/chain.pem "$KEYS"/
    chmod 600 "$KEYS"/*.key
    SERIAL_RSA=$(openssl x509 -in "$PKI/eseal-rsa.pem" -noout -serial |
        sed 's/^serial=//')
    SERIAL_EC=$(openssl x509 -in "$PKI/eseal-ec.pem" -noout -serial |
        sed 's/^serial=//')
}

# make_docs: the documents nginx serves, in $T/www (readable by workers).
# Each holds the marker ESEAL-NGINX-TEST, so that a failure body can be
# searched for them.
make_docs() {
    WWW=$T/www
    mkdir -p "$WWW"
    python3 "$TESTS_DIR/make_docs.py" "$WWW" || fail "make_docs.py"
    chmod -R a+rX "$WWW"
    if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
        runuser -u nobody -- test -r "$WWW/invoice.pdf" ||
            fail "$WWW is not readable by the worker user nobody"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- nginx -----------------------------------------------------------------

# ngx_conf NAME [MAIN]: writes $NGX_PREFIX/conf/NAME.conf: the main context
# (plus MAIN), and an http block whose body is read from stdin.
ngx_conf() {
    local name=$1 main=${2:-}
    mkdir -p "$NGX_PREFIX/conf" "$NGX_PREFIX/logs"
    {
        cat <<EOF
load_module $ESEAL_NGINX_MODULE;
daemon off;
master_process on;
worker_processes 1;
$NGX_USER
pid logs/nginx.pid;
error_log logs/error.log info;
thread_pool eseal threads=4 max_queue=64;
$main
events { worker_connections 256; }
http {
    types {
        application/pdf pdf;
        application/xml xml;
        text/plain txt;
    }
    default_type application/octet-stream;
    access_log logs/access.log;
    client_body_temp_path logs/client_body;
    proxy_temp_path logs/proxy;
    fastcgi_temp_path logs/fastcgi;
    uwsgi_temp_path logs/uwsgi;
    scgi_temp_path logs/scgi;
EOF
        cat
        echo "}"
    } >"$NGX_PREFIX/conf/$name.conf"
}

# ngx_test NAME: nginx -t on the configuration; RC, output in .stderr
ngx_test() {
    LAST_CMD="nginx -t -c conf/$1.conf"
    LD_PRELOAD=$NGX_PRELOAD LD_LIBRARY_PATH=$ESEAL_LIBDIR "$NGINX" -t \
        -p "$NGX_PREFIX/" -c "conf/$1.conf" -e logs/test.log \
        >"$T/.stdout" 2>"$T/.stderr"
    RC=$?
    cat "$NGX_PREFIX/logs/test.log" >>"$T/.stderr" 2>/dev/null
    rm -f "$NGX_PREFIX/logs/test.log"
}

# ngx_start NAME PORT...: runs nginx with the configuration and waits until
# every port accepts connections.
ngx_start() {
    local name=$1 port i
    shift
    ngx_stop_quietly
    : >"$NGX_PREFIX/logs/error.log"
    LD_PRELOAD=$NGX_PRELOAD LD_LIBRARY_PATH=$ESEAL_LIBDIR "$NGINX" \
        -p "$NGX_PREFIX/" -c "conf/$name.conf" -e logs/error.log \
        >>"$NGX_PREFIX/logs/stdout.log" 2>&1 &
    NGX_PID=$!
    for port in "$@"; do
        for i in $(seq 1 100); do
            if ! kill -0 "$NGX_PID" 2>/dev/null; then
                cat "$NGX_PREFIX/logs/stdout.log" >&2
                NGX_PID=""
                fail "nginx ($name) exited at start"
            fi
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
            sleep 0.1
        done
        [ "$i" -lt 100 ] || fail "nginx ($name) does not listen on $port"
    done
}

# ngx_reload NAME: nginx -s reload (the configuration is read again)
ngx_reload() {
    LAST_CMD="nginx -s reload -c conf/$1.conf"
    LD_PRELOAD=$NGX_PRELOAD LD_LIBRARY_PATH=$ESEAL_LIBDIR "$NGINX" \
        -p "$NGX_PREFIX/" -c "conf/$1.conf" -s reload \
        >"$T/.stdout" 2>"$T/.stderr" || fail "nginx -s reload"
}

ngx_stop_quietly() {
    if [ -n "$NGX_PID" ]; then
        kill -QUIT "$NGX_PID" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$NGX_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$NGX_PID" 2>/dev/null
        wait "$NGX_PID" 2>/dev/null
        NGX_PID=""
    fi
}

# worker_pids: the worker processes of the running nginx
worker_pids() { pgrep -P "$NGX_PID" || true; }

# wait_workers N: waits until nginx has forked its N workers (the master
# accepts on its ports before it forks them, so ngx_start returns earlier).
wait_workers() {
    local i
    for i in $(seq 1 100); do
        [ "$(worker_pids | wc -l)" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "nginx did not start $1 worker(s) within 10 s"
}

# ---- HTTP --------------------------------------------------------------------

# get NAME URL [CURL ARGS...]: fetches URL into $T/NAME.body with the headers
# in $T/NAME.head; sets STATUS.
get() {
    local name=$1 url=$2
    shift 2
    LAST_CMD="curl $* $url"
    STATUS=$(curl -s -S --max-time 60 -o "$T/$name.body" \
        -D "$T/$name.head" -w '%{http_code}' "$@" "$url" 2>"$T/.stderr")
    RC=$?
    [ "$RC" -eq 0 ] || [ "$RC" -eq 18 ] || [ "$RC" -eq 52 ] ||
        [ "$RC" -eq 56 ] || fail "curl $url failed (exit $RC)"
}

# header NAME FIELD: the value of a response header (last one), or "".
header() {
    tr -d '\r' <"$T/$1.head" | awk -v f="$2" 'BEGIN { IGNORECASE = 1 }
        { n = index($0, ":")
          if (n && tolower(substr($0, 1, n - 1)) == tolower(f)) {
              v = substr($0, n + 1); sub(/^ +/, "", v); last = v } }
        END { print last }'
}

expect_status() {
    [ "$STATUS" = "$1" ] || fail "$2: status $STATUS, expected $1"
    ok "$2 ($1)"
}

# sealed_headers NAME WHAT: Content-Length is the body's length, no
# Accept-Ranges, and any ETag is weak.
sealed_headers() {
    local size cl etag
    size=$(stat -c %s "$T/$1.body")
    cl=$(header "$1" Content-Length)
    [ "$cl" = "$size" ] ||
        fail "$2: Content-Length '$cl', body has $size bytes"
    [ -z "$(header "$1" Accept-Ranges)" ] ||
        fail "$2: Accept-Ranges sent for a sealed response"
    [ -z "$(header "$1" Content-Range)" ] ||
        fail "$2: Content-Range sent for a sealed response"
    etag=$(header "$1" ETag)
    case $etag in "" | W/*) ;; *) fail "$2: strong ETag $etag" ;; esac
    ok "$2: Content-Length $cl, no Accept-Ranges, ETag '${etag:-none}'"
}

# verify_pdf NAME WHAT [SERIAL]: eseal verify and pdfsig accept the seal
verify_pdf() {
    local f=$T/$1.body
    run "$ESEAL" verify --offline --trust "$PKI/trust.pem" --json "$f"
    [ "$RC" -eq 0 ] || fail "$2: eseal verify: $(head -c 600 "$T/.stdout")"
    [ "$(jq -r .format "$T/.stdout")" = pdf ] || fail "$2: not a PDF seal"
    if [ -n "${3:-}" ]; then
        [ "$(jq -r '.signatures[-1].signer.serial' "$T/.stdout")" = "$3" ] ||
            fail "$2: sealed by $(jq -r '.signatures[-1].signer.serial' \
                "$T/.stdout"), expected $3"
    fi
    run pdfsig "$f"
    [ "$RC" -eq 0 ] || fail "$2: pdfsig failed"
    grep -q "Signature Type: ETSI.CAdES.detached" "$T/.stdout" ||
        fail "$2: pdfsig sees no PAdES signature"
    grep -q "Total document signed" "$T/.stdout" ||
        fail "$2: pdfsig: the signature does not cover the document"
    ok "$2: eseal verify and pdfsig accept the seal"
}

# verify_xml NAME WHAT: eseal verify and xmlsec1 accept the seal
verify_xml() {
    local f=$T/$1.body
    run "$ESEAL" verify --offline --trust "$PKI/trust.pem" --json "$f"
    [ "$RC" -eq 0 ] || fail "$2: eseal verify: $(head -c 600 "$T/.stdout")"
    [ "$(jq -r .format "$T/.stdout")" = xml ] || fail "$2: not an XML seal"
    run xmlsec1 --verify --enabled-key-data x509 \
        --trusted-pem "$PKI/root-ca.pem" --untrusted-pem "$PKI/issuing-ca.pem" \
        --id-attr:Id SignedProperties --id-attr:Id Signature "$f"
    [ "$RC" -eq 0 ] || fail "$2: xmlsec1 --verify failed"
    ok "$2: eseal verify and xmlsec1 accept the seal"
}

# no_document NAME WHAT: a failure body holds nothing of a document
no_document() {
    local f=$T/$1.body
    if grep -aqE '%PDF|ESEAL-NGINX-TEST|<\?xml|Invoice' "$f"; then
        fail "$2: the failure body holds document bytes"
    fi
    ok "$2: the body holds no document ($(stat -c %s "$f") bytes)"
}
