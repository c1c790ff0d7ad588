#!/usr/bin/env bash
# tests/fuzz/make_corpus.sh MCPI - rewrites the seed corpora tests/fuzz/corpus/*/
# from a built mcpi (e.g. build/mcpi): small real inputs, each file named by
# the SHA-1 of its content (as libFuzzer names what it finds).  Run it when a
# file format changes; commit what it writes.  Takes a few seconds.
#
#   cli         argument lists of tests/cli_test.py (its literal run() calls,
#               BAD_INPUTS and ARGS), one argument per line
#   numbers     the counts and 64-bit values of tests/test_cli.c, good and bad
#   json        JSON texts of tests/test_json_read.c, a run report, a sweep,
#               a device listing and a comparison as mcpi writes them
#   checkpoint  checkpoints written by --checkpoint (finished; interrupted by
#               SIGTERM; of a --range), and two written here by the format in
#               host/run/checkpoint.h: intervals with holes, and format 1
#   report      JSON reports of -f json (one row; range parts of three rows;
#               every backend; a failed row; a merged report; without its
#               checksum) and documents that are not run reports
#   merge       part files separated by NUL bytes, a last piece being
#               --cover's value (tests/fuzz/fuzz_merge.c)
set -euo pipefail
[[ $# -eq 1 && -x "$1" ]] || { echo "usage: tests/fuzz/make_corpus.sh PATH/TO/mcpi" >&2; exit 2; }
mcpi=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MCPI_CACHE_DIR="$tmp/cache" # no calibration or kernel cache of the user's

# seed TARGET FILE: FILE into corpus/TARGET/ under the SHA-1 of its content.
seed() {
  local sum
  sum=$(sha1sum "$2" | cut -c1-40)
  cp "$2" "$here/corpus/$1/$sum"
}
# seed_text TARGET TEXT: TEXT (printf %b: \n, \0 allowed) as a seed.
seed_text() {
  printf '%b' "$2" >"$tmp/seed"
  seed "$1" "$tmp/seed"
}

for t in cli numbers json checkpoint report merge; do
  rm -rf "${here:?}/corpus/$t"
  mkdir -p "$here/corpus/$t"
done

# ---- cli: the literal argument lists of tests/cli_test.py ----------------------
mkdir -p "$tmp/cli"
python3 - "$root/tests/cli_test.py" "$tmp/cli" <<'EOF'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
lists = set()
def strs(nodes):
    out = []
    for n in nodes:
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            out.append(n.value)
        else:
            return None
    return out
for node in ast.walk(tree):
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        if name in ("run", "json_run", "mcpi"):
            args = strs(node.args)
            if args:
                lists.add(tuple(args + (["--format", "json"] if name == "json_run" else [])))
    elif isinstance(node, ast.List):
        args = strs(node.elts)
        if args and (args[0].startswith("-") or args[0] in ("run", "merge", "sweep", "scale",
                                                            "compare", "devices", "calibrate")):
            lists.add(tuple(args))
for i, args in enumerate(sorted(lists)):
    if any("\n" in a or "\0" in a for a in args):
        continue
    with open(f"{sys.argv[2]}/{i}", "w") as f:
        f.write("\n".join(args) + "\n")
EOF
for f in "$tmp"/cli/*; do seed cli "$f"; done
seed_text cli 'merge\na.json\nb.json\n--cover\n2^20\n-f\nmarkdown\n'
seed_text cli 'scale\n--threads\n1,2,4\n--weak\n-b\nthreads\n'
seed_text cli 'compare\nbase.json\nnew.json\n--fail-if-slower\n2.5\n--alpha\n0.01\n'
seed_text cli 'sweep\n--from\n1e3\n--to\n1e6\n--steps-per-decade\n2\n--reference\nsimd\n'
seed_text cli '-b\nserial+opencl:0.0,threads\n--isa\nportable\n--verify\nfull\n--\nrun\n'

# ---- numbers --------------------------------------------------------------------
for s in 1 1000000 1e6 1E6 1e+6 2.5e9 1.25e2 '2^20' '10^9' '2^63' 18446744073709551615 \
  1.8446744073709551615e19 1e19 0.5e1 007 0 -1 +5 1.5 1e e6 '2^64' '2^' '^3' 1e20 1.5e0 \
  abc '1 ' 1k 0x10 18446744073709551616 0e5 1e-3 '2^2^2' 1..2e3 3.e2x nan inf 0x \
  0xFFFFFFFFFFFFFFFF 0xdeadBEEF 0x1FFFFFFFFFFFFFFFF 0xg 12a '0^0' 10.e0 1_000; do
  seed_text numbers "$s"
done

# ---- reports, sweeps, listings: what mcpi writes ------------------------------------
cd "$tmp"
q=(-q -r 1 -w 0)
"$mcpi" -n 1000 -b serial "${q[@]}" -f json -o one.json
"$mcpi" -s 42 -b serial,threads,naive -t 2 -r 2 -w 0 -q --range 0:500 -f json -o p1.json
"$mcpi" -s 42 -b serial,threads,naive -t 2 -r 2 -w 0 -q --range 500:1000 -f json -o p2.json
"$mcpi" -s 42 -b serial "${q[@]}" --range 1000:2000 -f json -o p3.json
"$mcpi" -s 42 -b threads -t 2 "${q[@]}" --range 2000:3000 -f json -o p4.json
"$mcpi" -n 2000 -b all "${q[@]}" -f json -o all.json
"$mcpi" merge p1.json p2.json --cover 1000 -f json -q -o merged.json
"$mcpi" sweep --from 1e3 --to 1e4 -b serial "${q[@]}" -f json -o sweep.json
"$mcpi" devices -f json -o devices.json
"$mcpi" compare p1.json p2.json -f json -q -o compare.json
# An mcpi before the checksums: the same report without its last member.
python3 - one.json nosum.json failed.json <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
cut = text.rindex(',\n  "checksum"')
open(sys.argv[2], "w").write(text[:cut] + "\n}\n")
doc = json.loads(text)
del doc["checksum"]
row = doc["results"][0]
row.update(status="error", status_code=-5, error="mcpi: opencl: device lost")
open(sys.argv[3], "w").write(json.dumps(doc, indent=2) + "\n")
EOF

for f in one all sweep devices compare; do seed json "$f.json"; done
seed_text json '{"a": 18446744073709551615, "b": [1, 2.5, -3e2, null, true, false], "s": "x\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00", "o": {}}'
seed_text json '{"a\\"b": 1, "a\\u0022b": 2}'
seed_text json '[{"x": {"hits": 1,\n "hits": 2}}]'
seed_text json '[[[{"k": [{"k": []}]}]]]'
seed_text json '"\\ud800"'
seed_text json '{"a": 01}'

for f in one p1 all failed merged nosum sweep devices compare; do seed report "$f.json"; done

# merge: parts between NUL bytes, then perhaps --cover's value.
cat p1.json <(printf '\0') p2.json >m.1 && seed merge m.1
cat p1.json <(printf '\0') p2.json <(printf '\0') <(printf '1000') >m.2 && seed merge m.2
cat p2.json <(printf '\0') p1.json <(printf '\0') p3.json >m.3 && seed merge m.3
cat one.json <(printf '\0') <(printf '1e3') >m.4 && seed merge m.4
cat p3.json <(printf '\0') p4.json >m.5 && seed merge m.5 # merged by stream
cat p4.json <(printf '\0') p3.json <(printf '\0') <(printf '2^12') >m.8 && seed merge m.8
cat nosum.json >m.6 && seed merge m.6
cat p1.json <(printf '\0') p1.json >m.7 && seed merge m.7

# ---- checkpoints -------------------------------------------------------------------
"$mcpi" -n 100000 -b threads -t 2 -q -o r.json --checkpoint ck.done
"$mcpi" -n 1e12 -s 7 --range 1000:1000000001000 -b serial+threads -t 2 -q -o r.json \
  --checkpoint ck.stopped --checkpoint-interval 1 &
pid=$!
sleep 1.5
kill -TERM "$pid"
wait "$pid" || true # exit 5: stopped, the checkpoint written
python3 - <<'EOF'
def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h
def write(name, body):
    body = body.encode()
    open(name, "wb").write(body + b"fnv1a64 %016x\n" % fnv1a(body))
write("ck.holes", "mcpi-checkpoint 2\nversion 0.1.0\nseed 42\nsamples 1000000\nbegin 0\n"
      "end 1000000\ndone 500000\nhits 392699\nelapsed_s 1.25\nrow threads\nranks 3\n"
      "intervals 2\ninterval 0 250000 196040\ninterval 500000 750000 196659\n")
write("ck.format1", "mcpi-checkpoint 1\nversion 0.0.9\nseed 1\nsamples 4096\nbegin 1024\n"
      "end 5120\ndone 2048\nhits 1600\nelapsed_s 0.5\nbackend simd\nranks 1\n")
EOF
for f in ck.done ck.stopped ck.holes ck.format1; do seed checkpoint "$f"; done

for t in cli numbers json checkpoint report merge; do
  printf '%-11s %3d seeds, %6d bytes\n' "$t" "$(find "$here/corpus/$t" -type f | wc -l)" \
    "$(cat "$here/corpus/$t"/* | wc -c)"
done
