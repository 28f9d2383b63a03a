#!/usr/bin/env bash
# Instructions per call of every case of benches/examples/apiprobe.rs: callgrind with
# `--toggle-collect` on the case's own function (callees included) while the driver calls it
# 1000 times, divided by 1000. Nothing is subtracted. Functions the compiler folded into one
# (identical code: the inline and spilled modules of one type often share a function) are found
# by address and toggled under every name of that address.
#
#   bash benches/apiprobe.sh [FILTER]   FILTER: a grep -E pattern on `<module>::<op>` (default all)
#   bash benches/apiprobe.sh --existing the benchmarks' own StackVec/InlineVec cases, measured
#                                       the same way (target/apiprobe/existing.tsv)
#
# Writes target/apiprobe/results.tsv (module, op, instructions per call) and prints the tables
# (the vectors', then `write!` into fixed strings: the `_str_` modules).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
out=$CARGO_TARGET_DIR/apiprobe
mkdir -p "$out"
nice -n 10 cargo build -q --release -j1 -p stackfirst-benches --example apiprobe
bin=$CARGO_TARGET_DIR/release/examples/apiprobe

# Instructions per call of the case on line $1 of `apiprobe list` (`<module>::<op>`, then the
# offset of its measured function from `main`): toggled under every name of that address.
measure() {
  local case offset main addr toggles=() name
  case=$(cut -f1 <<<"$1")
  offset=$(cut -f2 <<<"$1")
  main=$(awk -F'\t' '$2 == "apiprobe::main" {print $1; exit}' "$out/all-symbols")
  addr=$(printf '%016x' $((16#$main + offset)))
  while IFS= read -r name; do toggles+=("--toggle-collect=$name"); done < <(awk -F'\t' -v a="$addr" '$1 == a {print $2}' "$out/all-symbols")
  [ ${#toggles[@]} -gt 0 ] || { printf '%s\tmissing\n' "$case"; return; }
  local cg=$out/${case//::/__}.cg
  # LD_BIND_NOW: lazy binding of libc symbols (memcpy, malloc) would be counted in the first call.
  LD_BIND_NOW=1 nice -n 10 valgrind -q --tool=callgrind --callgrind-out-file="$cg" "${toggles[@]}" \
    "$bin" run "$case" >/dev/null
  local total
  total=$(awk '/^summary:/ {print $2}' "$cg")
  printf '%s\t%s\n' "$case" "$(python3 -c "print(f'{$total / 1000:.1f}')")"
}
export -f measure
export out bin

nm -C "$bin" | awk '$2 ~ /^[tT]$/ {a=$1; $1=""; $2=""; sub(/^  /, ""); print a "\t" $0}' >"$out/all-symbols"

# The benchmarks' own StackVec/InlineVec cases, measured the same way (to check a change leaves
# them as they were; these counts include the call, unlike RESULTS.md's, which are net of the
# harness floor).
measure_existing() {
  local line=$1 index offset main addr toggles=() name
  index=$(cut -f1 <<<"$line")
  offset=$(cut -f6 <<<"$line")
  main=$(awk -F'\t' '$2 == "apiprobe::main" {print $1; exit}' "$out/all-symbols")
  addr=$(printf '%016x' $((16#$main + offset)))
  while IFS= read -r name; do toggles+=("--toggle-collect=$name"); done < <(awk -F'\t' -v a="$addr" '$1 == a {print $2}' "$out/all-symbols")
  [ ${#toggles[@]} -gt 0 ] || { printf '%s\tmissing\n' "$(cut -f1-5 <<<"$line")"; return; }
  local cg=$out/existing-$index.cg
  LD_BIND_NOW=1 nice -n 10 valgrind -q --tool=callgrind --callgrind-out-file="$cg" "${toggles[@]}" \
    "$bin" run-existing "$index" >/dev/null
  local total
  total=$(awk '/^summary:/ {print $2}' "$cg")
  printf '%s\t%s\n' "$(cut -f1-5 <<<"$line")" "$(python3 -c "print(f'{$total / 1000:.1f}')")"
}
export -f measure_existing
if [ "${1:-}" = --existing ]; then
  "$bin" existing | xargs -P 2 -d '\n' -I{} bash -c 'measure_existing "$@"' _ {} | sort -n >"$out/existing.tsv"
  cat "$out/existing.tsv"
  exit
fi

"$bin" list | grep -E "${1:-.}" | xargs -P 2 -d '\n' -I{} bash -c 'measure "$@"' _ {} | sort >"$out/results.tsv"

python3 - "$out/results.tsv" <<'EOF'
import sys, collections
rows = collections.defaultdict(dict)
strings = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    case, v = line.rstrip("\n").split("\t")
    mod, op = case.split("::")
    cont, ty, size = mod.rsplit("_", 2)
    (strings[op] if ty == "str" else rows[(op, ty, size)])[cont] = v
conts = ["stackvec", "smallvec", "arrayvec", "vec", "inlinevec"]
if rows:
    print("| op | type | size | " + " | ".join(conts) + " | sv/smallvec | sv/arrayvec | iv/arrayvec |")
    print("|---|---|---|" + "---|" * (len(conts) + 3))
def ratio(a, b):
    try:
        return f"{float(a) / float(b):.2f}x"
    except (ValueError, TypeError, ZeroDivisionError):
        return "–"
for (op, ty, size), r in sorted(rows.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])):
    cells = [r.get(c, "–") for c in conts]
    print(f"| {op} | {ty} | {size} | " + " | ".join(cells) + f" | {ratio(r.get('stackvec'), r.get('smallvec'))} | {ratio(r.get('stackvec'), r.get('arrayvec'))} | {ratio(r.get('inlinevec'), r.get('arrayvec'))} |")
if strings:
    conts = ["inlinestring", "arraystring", "heapless"]
    print("\n| op | " + " | ".join(conts) + " | InlineString/ArrayString |")
    print("|---|" + "---|" * (len(conts) + 1))
    for op, r in sorted(strings.items()):
        cells = [r.get(c, "–") for c in conts]
        print(f"| {op} | " + " | ".join(cells) + f" | {ratio(r.get('inlinestring'), r.get('arraystring'))} |")
EOF
