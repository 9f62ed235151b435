#!/bin/bash
# Builds ngx_http_eseal_module.so against the installed nginx's sources, as
# Debian's own dynamic modules are built: a copy of the nginx-dev tree,
# configured with the flags the installed nginx was built with (conf_flags),
# so that the module is binary compatible with /usr/sbin/nginx.
#
# usage: build-module.sh NGINX_SRC MODULE_DIR WORK_DIR OUTPUT INCLUDE_DIR \
#            LIB_DIR RPATH [CC]
set -euo pipefail

nginx_src=$1 module_dir=$2 work=$3 output=$4 include_dir=$5 lib_dir=$6
rpath=$7 cc=${8:-cc}
case $output in /*) ;; *) output=$PWD/$output ;; esac

if [ ! -f "$nginx_src/conf_flags" ] || [ ! -x "$nginx_src/configure" ]; then
    echo "build-module: $nginx_src is not nginx's source tree with" \
        "conf_flags (apt-get install nginx-dev)" >&2
    exit 1
fi

rm -rf "$work"
mkdir -p "$work"
cp -r "$nginx_src" "$work/src"
cd "$work/src"

# shellcheck disable=SC1091
. ./conf_flags

cflags="$(dpkg-buildflags --get CFLAGS 2>/dev/null || echo -O2) -fPIC"
cflags="$cflags $(dpkg-buildflags --get CPPFLAGS 2>/dev/null || true)"
ldflags="$(dpkg-buildflags --get LDFLAGS 2>/dev/null || true) -fPIC"

export ESEAL_INCLUDE_DIR="$include_dir"
export ESEAL_LIBS="-L$lib_dir -leseal -Wl,-rpath,$rpath"

if ! ./configure --with-cc="$cc" --with-cc-opt="$cflags" \
        --with-ld-opt="$ldflags" "${NGX_CONF_FLAGS[@]}" \
        --add-dynamic-module="$module_dir" --builddir="$work/objs" \
        >"$work/configure.log" 2>&1; then
    cat "$work/configure.log" >&2
    echo "build-module: nginx's configure failed" >&2
    exit 1
fi

if ! make -f "$work/objs/Makefile" modules >"$work/make.log" 2>&1; then
    cat "$work/make.log" >&2
    echo "build-module: the module did not compile" >&2
    exit 1
fi

# warnings are errors for nginx's own code; show ours anyway
grep -i "warning" "$work/make.log" >&2 || true

cp "$work/objs/ngx_http_eseal_module.so" "$output"
