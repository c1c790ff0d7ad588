# bash completion for mcpi                                 -*- shell-script -*-
#
# Installed as share/bash-completion/completions/mcpi (bash-completion loads it
# on the first `mcpi <TAB>`); without installing, `source scripts/completion/mcpi.bash`.
# Completes the commands, every flag of `mcpi --help`, the values of
# --format, --isa, --verify and --backend (comma lists and A+B rows, with the
# OpenCL P.D indices `mcpi devices` lists), and file names where a flag or
# merge/compare takes files.  Needs nothing but bash (no bash-completion
# helpers), so it also works where only this file is sourced.
# tests/completion_test.sh drives it against the real binary.

_mcpi_commands="run devices sweep scale calibrate merge compare selftest"
_mcpi_long_flags="--samples --seed --backend --threads --repeat --warmup --format --output
  --quiet --per-rank --isa --calibration --verify --no-cache --from --to --steps-per-decade
  --reference --ranks --strong --weak --range --checkpoint --resume --checkpoint-interval
  --balance --progress --cover --work-group --per-item --launch-samples --build-options
  --ocl-vector --no-open --fail-if-slower --alpha --help --version"
_mcpi_short_flags="-n -s -b -t -r -w -f -o -q -h -V"
# The flags that take a value (the next word, or attached: --format=json, -fjson).
_mcpi_value_flags=" -n -s -b -t -r -w -f -o --samples --seed --backend --threads --repeat
  --warmup --format --output --isa --calibration --verify --from --to --steps-per-decade
  --reference --ranks --range --checkpoint --resume --checkpoint-interval --cover
  --work-group --per-item --launch-samples --build-options --ocl-vector --fail-if-slower --alpha "
_mcpi_backend_names="serial simd threads naive opencl auto node all opencl:gpu opencl:cpu
  opencl:accelerator"

# _mcpi_ids: the OpenCL P.D indices the binary being completed lists, asked
# once per binary and shell session; quiet, 3 s at most, MPI never started.
_mcpi_opencl_ids()
{
    local bin=${COMP_WORDS[0]/#\~/$HOME}
    [[ ${_mcpi_ids_bin-} == "$bin" ]] && return
    _mcpi_ids_bin=$bin
    _mcpi_ids=""
    local out="" t=""
    command -v timeout >/dev/null 2>&1 && t="timeout 3"
    if command -v -- "$bin" >/dev/null 2>&1; then
        # json has "id": "opencl:0.0"; csv and the table carry the same ids
        out=$(MCPI_MPI=0 $t "$bin" devices --no-open --format json </dev/null 2>/dev/null)
    fi
    local re='opencl:[0-9]+\.[0-9]+'
    while [[ $out =~ $re ]]; do
        [[ " $_mcpi_ids " == *" ${BASH_REMATCH[0]} "* ]] || _mcpi_ids+=" ${BASH_REMATCH[0]}"
        out=${out#*"${BASH_REMATCH[0]}"}
    done
}

# Appends to cands (the caller's array) the values of flag $1 that start
# with $2, each with prefix $3 (a flag's "--format=" or "-f" when attached).
_mcpi_values()
{
    local f=$1 v=$2 pre=$3 head="" names="" w
    local -a got=()
    case $f in
    -f | --format) names="table csv json markdown" ;;
    --isa) names="avx512 avx2 sse2 portable" ;;
    --verify) names="sample full off" ;;
    --ocl-vector) names="auto 1 4 8 16" ;;
    -b | --backend)
        _mcpi_opencl_ids
        names="$_mcpi_backend_names $_mcpi_ids"
        [[ $v == *[,+]* ]] && head=${v%"${v##*[,+]}"} # "serial," of "serial,si"
        ;;
    --reference)
        _mcpi_opencl_ids
        names="serial simd threads $_mcpi_ids" # one row, as --reference accepts
        ;;
    -o | --output | --checkpoint | --resume | --calibration)
        compopt -o filenames 2>/dev/null
        mapfile -t got < <(compgen -f -- "$v")
        ;;
    *) return ;;
    esac
    [[ -n $names ]] && mapfile -t got < <(compgen -W "$names" -- "${v#"$head"}")
    for w in "${got[@]}"; do
        [[ -n $w ]] && cands+=("$pre$head$w")
    done
}

_mcpi()
{
    COMPREPLY=()
    # bash splits words at COMP_WORDBREAKS (":" and "=" by default):
    # "opencl:0.0" arrives as "opencl" ":" "0.0".  Join them back, and trim
    # the part up to the last break from the candidates, as bash replaces
    # only what follows it.
    local brk="" i tok joined=0
    [[ $COMP_WORDBREAKS == *:* ]] && brk+=:
    [[ $COMP_WORDBREAKS == *=* ]] && brk+='='
    local -a words=()
    for ((i = 0; i <= COMP_CWORD; i++)); do
        tok=${COMP_WORDS[i]-}
        if ((${#words[@]} > 1)) && [[ -n $brk && ($joined -eq 1 || $tok == ["$brk"]) ]]; then
            words[${#words[@]} - 1]+=$tok
        else
            words+=("$tok")
        fi
        joined=0
        [[ -n $brk && $tok == ["$brk"] ]] && joined=1
    done
    local n=${#words[@]}
    local cur=${words[n - 1]} prev=""
    ((n > 1)) && prev=${words[n - 2]}
    local trim=""
    [[ -n $brk && $cur == *["$brk"]* ]] && trim=${cur%"${cur##*["$brk"]}"}

    # The command: the first word that is neither an option nor its value;
    # value=1 when cur is the value of the flag before it.
    local cmd="" dashes=0 value=0
    for ((i = 1; i < n - 1; i++)); do
        tok=${words[i]}
        if ((value)); then
            value=0
        elif ((dashes)) || [[ $tok != -?* ]]; then
            [[ -z $cmd ]] && cmd=$tok
        elif [[ $tok == -- ]]; then
            dashes=1
        elif [[ $tok != *=* && $_mcpi_value_flags == *" $tok "* ]]; then
            value=1
        fi
    done

    local -a cands=()
    if ((value)); then
        _mcpi_values "$prev" "$cur" ""
    elif ((!dashes)) && [[ $cur == --*=* ]]; then
        _mcpi_values "${cur%%=*}" "${cur#*=}" "${cur%%=*}="
    elif ((!dashes)) && [[ $cur == -[nsbtrwfo]?* ]]; then
        _mcpi_values "${cur:0:2}" "${cur:2}" "${cur:0:2}"
    elif ((!dashes)) && [[ $cur == -* ]]; then
        mapfile -t cands < <(compgen -W "$_mcpi_long_flags $_mcpi_short_flags" -- "$cur")
    elif [[ -z $cmd ]]; then
        mapfile -t cands < <(compgen -W "$_mcpi_commands" -- "$cur")
    elif [[ $cmd == merge || $cmd == compare ]]; then
        compopt -o filenames 2>/dev/null
        mapfile -t cands < <(compgen -f -X '!*.json' -- "$cur"; compgen -d -- "$cur")
    fi
    for tok in "${cands[@]}"; do
        [[ -n $tok ]] && COMPREPLY+=("${tok#"$trim"}")
    done
    return 0
}

complete -F _mcpi mcpi
