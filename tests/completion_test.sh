#!/usr/bin/env bash
# completion_test.sh - scripts/completion/mcpi.bash driven as bash drives it
# (COMP_WORDS, COMP_CWORD, bash's default COMP_WORDBREAKS) with the real
# binary as the command being completed ($MCPI_BIN): the commands, every flag
# of `mcpi --help` (and none it lacks), the values of --format, --isa,
# --verify and --backend (comma lists, A+B rows, the opencl:P.D indices the
# binary lists, split at ':' as bash splits them), file names, and a binary
# that hangs or is missing.
# Environment: MCPI_BIN, MCPI_COMPLETION (the file), MCPI_HAVE_OPENCL (1/0),
# MCPI_COMPLETION_TMP (a scratch folder).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${MCPI_BIN:?MCPI_BIN: the mcpi binary}
file=${MCPI_COMPLETION:-$here/../scripts/completion/mcpi.bash}
tmp=${MCPI_COMPLETION_TMP:-$(mktemp -d)}
fails=0

fail() {
  echo "FAIL: $*" >&2
  fails=$((fails + 1))
}

# shellcheck source=/dev/null
source "$file" || { echo "FAIL: cannot source $file" >&2; exit 1; }
complete -p mcpi | grep -q -- '-F _mcpi' || fail "complete -F _mcpi mcpi is not registered"
COMP_WORDBREAKS=$' \t\n"\'><=;|&(:' # bash's default

# comp WORD... : the candidates for the last word, one a line.
comp() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _mcpi
  printf '%s\n' "${COMPREPLY[@]}"
}

# offers WORD... :: WANT... : each WANT is a candidate for the last WORD.
offers() {
  local -a words=()
  while [[ $1 != "::" ]]; do words+=("$1"); shift; done
  shift
  local out w
  out=$(comp "${words[@]}")
  for w in "$@"; do
    grep -qxF -- "$w" <<<"$out" ||
      fail "'${words[*]:1}<TAB>' does not offer '$w' (got: $(tr '\n' ' ' <<<"$out"))"
  done
}

# lacks WORD... :: NOT... : no NOT is a candidate.
lacks() {
  local -a words=()
  while [[ $1 != "::" ]]; do words+=("$1"); shift; done
  shift
  local out w
  out=$(comp "${words[@]}")
  for w in "$@"; do
    grep -qxF -- "$w" <<<"$out" && fail "'${words[*]:1}<TAB>' offers '$w'"
  done
}

help=$("$bin" --help) || { echo "FAIL: $bin --help" >&2; exit 1; }

# Commands: every one of the usage lines, and compare.
mapfile -t help_cmds < <(sed -n '1,/^Options:/p' <<<"$help" |
  sed -nE 's/^[[:space:]]*(usage:[[:space:]]*)?mcpi \[?([a-z]+)\]?.*/\2/p')
[[ ${#help_cmds[@]} -ge 6 ]] || fail "found only ${help_cmds[*]} in --help"
offers "$bin" "" :: "${help_cmds[@]}" run devices sweep scale calibrate merge compare
offers "$bin" s :: sweep scale
lacks "$bin" s :: run devices
offers "$bin" -n 5 --seed 1 "" :: run sweep # a flag's value is not the command

# Flags: every long flag and short pair of --help; none that --help lacks.
mapfile -t help_long < <(grep -oE -- '(^|[^[:alnum:]-])--[a-z][a-z0-9-]*' <<<"$help" |
  sed -E 's/^[^-]+//' | sort -u)
mapfile -t help_short < <(grep -oE -- '(^|[^[:alnum:]-])-[A-Za-z], --' <<<"$help" |
  grep -oE -- '-[A-Za-z],' | tr -d , | sort -u)
[[ ${#help_long[@]} -ge 30 && ${#help_short[@]} -ge 10 ]] ||
  fail "parsed ${#help_long[@]} long and ${#help_short[@]} short flags from --help"
offers "$bin" -- :: "${help_long[@]}"
offers "$bin" - :: "${help_long[@]}" "${help_short[@]}"
offers "$bin" run --p :: --per-rank --per-item --progress
while IFS= read -r f; do
  grep -qxF -- "$f" < <(printf '%s\n' "${help_long[@]}" "${help_short[@]}") ||
    fail "the completion offers $f, which --help does not have"
done < <(comp "$bin" -)

# Values.
offers "$bin" --format "" :: table csv json markdown
offers "$bin" -f "" :: table csv json markdown
offers "$bin" --format = j :: json # --format=j, split at '=' by bash
offers "$bin" -fm :: -fmarkdown
lacks "$bin" -f "" :: serial --seed
offers "$bin" --isa "" :: avx512 avx2 sse2 portable
offers "$bin" --verify "" :: sample full off
backends=(serial simd threads naive opencl auto node all opencl:gpu opencl:cpu opencl:accelerator)
offers "$bin" -b "" :: "${backends[@]}"
offers "$bin" --backend "" :: "${backends[@]}"
offers "$bin" -b serial, :: serial,simd serial,threads serial,opencl:gpu
offers "$bin" -b threads+s :: threads+simd threads+serial
offers "$bin" -b opencl : "" :: gpu cpu accelerator # "opencl:" is "opencl" ":" ""
offers "$bin" -b serial,opencl : g :: gpu
lacks "$bin" -b "" :: table --seed
if [[ ${MCPI_HAVE_OPENCL:-0} == 1 ]]; then
  offers "$bin" -b "" :: opencl:0.0
  offers "$bin" -b opencl : "" :: 0.0
  offers "$bin" -b threads+opencl : 0 :: 0.0
  offers "$bin" --backend = serial,opencl : 0 :: 0.0
  offers "$bin" --reference "" :: serial simd opencl:0.0
fi
lacks "$bin" -n "" :: table serial run

# Files: -o and friends any file; merge and compare JSON files and folders.
mkdir -p "$tmp/files/sub" && touch "$tmp/files/a.json" "$tmp/files/b.txt" || exit 1
pushd "$tmp/files" >/dev/null || exit 1
for flag in -o --output --checkpoint --resume --calibration; do
  offers "$bin" "$flag" "" :: a.json b.txt sub
done
offers "$bin" --output = "" :: a.json b.txt
for cmd in merge compare; do
  offers "$bin" "$cmd" "" :: a.json sub
  offers "$bin" "$cmd" a.json "" :: a.json sub
  lacks "$bin" "$cmd" "" :: b.txt
done
popd >/dev/null || exit 1

# A binary that is missing, or hangs, still gets the fixed names, in time.
offers /nonexistent/mcpi -b "" :: "${backends[@]}"
printf '#!/bin/sh\nsleep 30\n' >"$tmp/hang-mcpi" && chmod +x "$tmp/hang-mcpi"
start=$SECONDS
offers "$tmp/hang-mcpi" -b "" :: serial opencl:gpu
((SECONDS - start <= 6)) || fail "a hanging binary held the completion $((SECONDS - start)) s"

if ((fails)); then
  echo "completion: $fails failure(s)" >&2
  exit 1
fi
echo "completion: all checks passed"
