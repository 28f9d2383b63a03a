#!/usr/bin/env bash
# stackfirst on Cortex-M4: builds the firmware with Debian's rustc-web (-Zbuild-std; rustup has
# no thumbv7em target here), runs it under QEMU (mps2-an386) with the instruction-counting
# plugin, and writes no_std-example/RESULTS.md and README's Cortex-M4 table.
#
#   bash no_std-example/run.sh          build, run, measure, rewrite RESULTS.md
#   bash no_std-example/run.sh --check  the same, but fail if a StackVec or arena count rose
#                                       above the committed RESULTS.md (instructions by more
#                                       than 10%, allocations per call at all) (CI)
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
root=$(cd .. && pwd)
# Cargo's default target dirs, where the firmware (its crate's) and the report (the
# workspace's) are read back.
unset CARGO_TARGET_DIR
out=$root/target/bench-out/m4
mkdir -p "$out"

. "$root/.ci/debian-rust.sh"
debian_rust rust-web-llvm qemu-system-arm gcc libc6-dev
# rust-lld links the firmware: a link to the lld package that rust-web-llvm names.
[ -e "$(readlink -f /usr/bin/rust-lld)" ] ||
  { apt-get update -q && apt-get install -y -q --no-install-recommends "$(readlink /usr/bin/rust-lld)"; }

# The Cortex-M0 (thumbv6m) has no compare-and-swap: the crate must build there without the
# spill report (SyncArena, ArenaBuf::take and the Arc conversions are left out), and the report
# must refuse clearly.
for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
  echo "--- the crate alone for $target: without alloc, then with, then with the optional traits"
  (cd "$root" && $cargo build -q --lib -p stackfirst --target $target -Zbuild-std=core \
    --no-default-features --target-dir "$here/target/crate-check")
  (cd "$root" && $cargo build -q --lib -p stackfirst --target $target -Zbuild-std=core,alloc \
    --target-dir "$here/target/crate-check")
  (cd "$root" && $cargo build -q --lib -p stackfirst --target $target -Zbuild-std=core,alloc \
    --features serde,zeroize,defmt --target-dir "$here/target/crate-check")
done
if report=$(cd "$root" && $cargo build -q --lib -p stackfirst --target thumbv6m-none-eabi -Zbuild-std=core,alloc \
  --features spill-report --target-dir "$here/target/crate-check" 2>&1); then
  echo "the spill report built on thumbv6m, which has no compare-and-swap"; exit 1
fi
grep -q "the \`spill-report\` feature needs atomic compare-and-swap" <<<"$report" ||
  { echo "$report"; echo "the spill report's refusal on thumbv6m is not the crate's own message"; exit 1; }

echo "--- firmware and QEMU plugin"
# The bulk rows run in a firmware of their own (same target dir: only the firmware crate
# rebuilds), so that their cases cannot change the Go table's inlining, counts or code size.
$cargo build -q --release --features bulk-rows
elf=$here/target/thumbv7em-none-eabihf/release/stackfirst-no-std-example
cp "$elf" "$out/bulk-rows.elf"
$cargo build -q --release
gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$out/libinsn_count.so" qemu-plugin/insn_count.c
# An empty `static InlineVec` must be zeroed memory (.bss), not initialized data in flash.
section=$(nm -C "$elf" | awk '$3 ~ /::LOG$/ { print $2 }')
case "$section" in
  b | B) echo "a static Mutex<RefCell<InlineVec<u8, 256>>> is in .bss" ;;
  *) echo "the static LOG should be in .bss, nm says '$section'"; exit 1 ;;
esac

echo "--- run under QEMU"
measure() {
  local elf=$1 name=$2
  marker() { nm "$elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
  timeout 600 qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native \
    -kernel "$elf" \
    -plugin "$out/libinsn_count.so,start=$(marker stackfirst_bench_start),stop=$(marker stackfirst_bench_stop),out=$out/counts-$name.txt" \
    >"$out/firmware-$name.log" 2>&1 || { cat "$out/firmware-$name.log"; echo "firmware failed"; exit 1; }
  grep -v '^case|' "$out/firmware-$name.log"
}
measure "$elf" table
measure "$out/bulk-rows.elf" bulk

echo "--- the spill report over semihosting (a second build, with the feature)"
$cargo build -q --release --features spill-report --target-dir "$here/target/spill-report"
timeout 120 qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native \
  -kernel "$here/target/spill-report/thumbv7em-none-eabihf/release/stackfirst-no-std-example" ||
  { echo "the spill-report firmware failed"; exit 1; }

# One JSON line per measured call: the plugin's counts and the firmware's labels, in order.
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows = []
for name in ["table", "bulk"]:
    counts = [int(l) for l in open(f"{out}/counts-{name}.txt")]
    cases = [l.rstrip("\n").split("|")[1:] for l in open(f"{out}/firmware-{name}.log") if l.startswith("case|")]
    assert len(counts) == len(cases), f"{name}: {len(counts)} counts for {len(cases)} cases"
    rows += zip(counts, cases)
with open(f"{out}/instructions.jsonl", "w") as f:
    for count, (imp, pattern, ty, n, allocs) in rows:
        row = {"imp": imp, "pattern": pattern, "ty": ty, "n": None if n == "-1" else int(n),
               "instructions": count, "allocs": int(allocs)}
        f.write(json.dumps(row) + "\n")
PY

# Code size: the firmware's .text, and each container's code for the same use (the u32 append
# loop's function, with everything inlined into it, plus the library's out-of-line functions).
python3 - "$elf" "$out" <<'PY'
import re, subprocess, sys
elf, out = sys.argv[1], sys.argv[2]
sections = subprocess.run(["readelf", "-S", "-W", elf], capture_output=True, text=True, check=True).stdout
text = next(int(m.group(1), 16) for m in re.finditer(r"\.text\s+PROGBITS\s+\S+\s+\S+\s+(\S+)", sections))
syms = subprocess.run(["nm", "-C", "-S", "--size-sort", elf], capture_output=True, text=True, check=True).stdout
sizes = {}
for line in syms.splitlines():
    parts = line.split(" ", 3)
    if len(parts) == 4 and parts[2] in "tTwW":
        sizes[parts[3]] = sizes.get(parts[3], 0) + int(parts[1], 16)
# The uses `Vec` has in this firmware: u32 and the 16-byte struct on the global heap. StackVec
# also serves bytes (the strings) and arena frames, heapless its strings.
other_uses = r"Frame|NoHeap|<u8, |String"
def total(pattern, same_uses=False):
    return sum(v for k, v in sizes.items()
               if re.search(pattern, k) and not (same_uses and re.search(other_uses, k)))
rows = [
    ("StackVec<u32> (32-byte budget)", "u32s::stackvec_local$", r"stackfirst::raw::"),
    ("alloc::vec::Vec<u32>", "u32s::vec_local$", r"alloc::raw_vec::"),
    ("heapless::Vec<u32, 16>", "u32s::heapless_local$", r"heapless::"),
]
with open(f"{out}/code_size.md", "w") as f:
    f.write("## Code size (thumbv7em-none-eabihf, opt-level 3)\n\n")
    f.write(f"The whole firmware's `.text`: **{text} bytes**. `size_of::<StackVec<u32>>()` is **40** "
            "(checked by the firmware).\n\n")
    f.write("The same use, the u32 append loop (`local` pattern), per container: the pattern's own "
            "function, with everything inlined into it, and the library's out-of-line functions in this "
            "firmware (for every element type and allocator the firmware uses; from `nm -S`), and of "
            "those the ones for the uses `Vec` has here (`u32` and the 16-byte struct on the global "
            "heap: not StackVec's bytes for the strings or its arena frames, nor heapless's strings)."
            "\n\n")
    f.write("| container | append-loop function (bytes) | library functions out of line (bytes) "
            "| of those, for `Vec`'s uses (bytes) |\n|---|---|---|---|\n")
    for name, fn, lib in rows:
        f.write(f"| {name} | {total(fn)} | {total(lib)} | {total(lib, True)} |\n")
    f.write("\nThe library functions out of line, by size:\n\n| function | bytes |\n|---|---|\n")
    for _, _, lib in rows[:2]:
        for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]):
            if re.search(lib, k):
                f.write(f"| `{k}` | {v} |\n")
PY
cat "$out/code_size.md"

echo "--- report"
(cd "$root" && cargo run -q --release -p stackfirst-benches --example report -- "$out" --platform cortex-m4 "$@")
