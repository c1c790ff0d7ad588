#!/usr/bin/env bash
# install_test.sh - `cmake --install` of this build into a fresh prefix, then
# what README's "Using the library" promises, from outside the tree:
#   - tests/consumer built with find_package(mcpi 0.1) + mcpi::mcpi_lib, and
#     run (DESIGN's known answers through the core and the library); asking
#     for mcpi 0.2 or 1.0 is refused by mcpiConfigVersion.cmake;
#   - consumer.c built with `cc $(pkg-config --cflags --static --libs mcpi)`,
#     and run; both ways see the build's MCPI_WITH_OPENCL / MCPI_WITH_MPI;
#   - both again after the prefix is moved (nothing refers to the build tree
#     or to the first prefix);
#   - the man page and the bash completion installed, the page rendered by
#     `man -l --warnings` without a warning, the completion registering _mcpi.
# Environment (tests/install.cmake): MCPI_BUILD_DIR, MCPI_SOURCE_DIR,
# MCPI_INSTALL_TMP, CMAKE_COMMAND, CC, PKG_CONFIG, MCPI_HAVE_OPENCL,
# MCPI_HAVE_MPI.
set -euo pipefail

build=${MCPI_BUILD_DIR:?}
src=${MCPI_SOURCE_DIR:?}
cmake=${CMAKE_COMMAND:-cmake}
cc=${CC:-cc}
pkgconfig=${PKG_CONFIG:-pkg-config}
want_ocl=${MCPI_HAVE_OPENCL:-0}
want_mpi=${MCPI_HAVE_MPI:-0}
mkdir -p "${MCPI_INSTALL_TMP:?}"
work=$(mktemp -d "$MCPI_INSTALL_TMP/run.XXXXXX")
log=$work/log
prefix=$work/prefix

fail() {
  echo "FAIL: $*" >&2
  echo "(work folder kept: $work)" >&2
  exit 1
}
step() { echo "== $*"; }
# quiet CMD...: runs CMD with its output in the log, shown when it fails.
quiet() {
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "$*"
  fi
}

step "cmake --install $build --prefix $prefix"
quiet "$cmake" --install "$build" --prefix "$prefix"
cfg=$(find "$prefix" -name mcpiConfig.cmake -path '*/cmake/mcpi/*')
[[ -n $cfg ]] || fail "no mcpiConfig.cmake under $prefix"
cmakedir=$(dirname "$cfg")
libdir=$(cd "$cmakedir/../.." && pwd)
libdir_rel=${libdir#"$prefix"/}
echo "lib dir: $libdir_rel"
for f in "$cmakedir/mcpiConfigVersion.cmake" "$cmakedir/mcpiTargets.cmake" \
  "$libdir/libmcpi.a" "$libdir/pkgconfig/mcpi.pc" "$prefix/bin/mcpi" "$prefix/include/mcpi/mcpi.h" \
  "$prefix/include/mcpi/mcpi_core.h" "$prefix/share/man/man1/mcpi.1" \
  "$prefix/share/bash-completion/completions/mcpi"; do
  [[ -f $f ]] || fail "not installed: ${f#"$prefix"/}"
done
"$prefix/bin/mcpi" --version >/dev/null || fail "the installed mcpi does not run"
if grep -rlF -e "$build" -e "$src" "$cmakedir" "$libdir/pkgconfig"; then
  fail "the installed package refers to the build or source tree"
fi
# shellcheck disable=SC2016 # the literal ${pcfiledir}
grep -q '^prefix=${pcfiledir}/' "$libdir/pkgconfig/mcpi.pc" ||
  fail "mcpi.pc: prefix is not relocatable"

# consumer_cmake PREFIX NAME [ARGS...]: configure, build and run tests/consumer.
consumer_cmake() {
  local p=$1 b=$work/$2
  shift 2
  quiet "$cmake" -S "$src/tests/consumer" -B "$b" -DCMAKE_PREFIX_PATH="$p" \
    -DCMAKE_C_COMPILER="$cc" "$@"
  grep -F "consumer: mcpi" "$log" || true
  quiet "$cmake" --build "$b"
  check_run "$b/consumer" "find_package"
}

# consumer_pc PREFIX NAME: build consumer.c with pkg-config's line and run it.
consumer_pc() {
  local p=$1 exe=$work/$2 flags
  flags=$(PKG_CONFIG_PATH=$p/$libdir_rel/pkgconfig "$pkgconfig" --cflags --static --libs mcpi) ||
    fail "pkg-config --cflags --static --libs mcpi"
  echo "pkg-config: $flags"
  # shellcheck disable=SC2086 # the flags are words
  quiet "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "$src/tests/consumer/consumer.c" \
    -o "$exe" $flags
  check_run "$exe" "pkg-config"
}

check_run() {
  local out
  out=$("$1" 2>&1) || fail "$2 consumer: $out"
  echo "$out"
  [[ $out == *"consumer: ok mcpi "*" opencl=$want_ocl mpi=$want_mpi"* ]] ||
    fail "$2 consumer: expected opencl=$want_ocl mpi=$want_mpi: $out"
}

step "find_package(mcpi 0.1) + mcpi::mcpi_lib"
consumer_cmake "$prefix" consumer-cmake
for v in 0.2 1.0; do
  step "find_package(mcpi $v) is refused"
  if "$cmake" -S "$src/tests/consumer" -B "$work/consumer-$v" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DMCPI_WANT="$v" >"$log" 2>&1; then
    fail "find_package(mcpi $v) accepted $("$prefix/bin/mcpi" --version)"
  fi
  if ! grep -q "considered but not accepted" "$log"; then
    cat "$log" >&2
    fail "find_package(mcpi $v) refused, but not for its version"
  fi
done

step "cc \$(pkg-config --cflags --static --libs mcpi)"
consumer_pc "$prefix" consumer-pc

step "the prefix moved"
mv "$prefix" "$work/moved"
consumer_cmake "$work/moved" consumer-cmake-moved
consumer_pc "$work/moved" consumer-pc-moved
mv "$work/moved" "$prefix"

step "man page and bash completion"
if command -v man >/dev/null; then
  page=$prefix/share/man/man1/mcpi.1
  out=$(MANWIDTH=80 MANPAGER=cat PAGER=cat man -l --warnings "$page" 2>&1 >/dev/null) ||
    fail "man -l: $out"
  [[ -z $out ]] || fail "man -l --warnings: $out"
else
  echo "man is not installed (scripts/deps test): not rendered"
fi
bash -c 'source "$1" && complete -p mcpi' _ "$prefix/share/bash-completion/completions/mcpi" |
  grep -q -- '-F _mcpi' || fail "the installed completion does not register _mcpi"

rm -rf "$work"
echo "install: all checks passed"
