#!/usr/bin/env bash
# What the `spill-report` feature costs when on, in instructions (callgrind through gungraun):
# StackVec's append loop (u64, local) measured without and with the feature. Run benches/run.sh
# once first: it installs the pinned gungraun-runner.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/target/bench-tools/bin:$PATH"
command -v gungraun-runner >/dev/null || { echo "gungraun-runner missing: run bash benches/run.sh once"; exit 1; }
out=target/bench-out/spill-overhead
mkdir -p "$out"
# The benchmark ids index the case list; the allocation counter prints it in the same order.
cargo run -q --release -p stackfirst-benches --example allocs >"$out/cases.jsonl"
for mode in off on; do
  features=""
  [ "$mode" = on ] && features="--features spill-report"
  rm -rf target/gungraun/stackfirst-benches
  # shellcheck disable=SC2086
  GUNGRAUN_SAVE_SUMMARY=json cargo bench -q -p stackfirst-benches --bench instructions $features >"$out/$mode.log" 2>&1
  cp -r target/gungraun/stackfirst-benches "$out/$mode"
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
cases = [json.loads(l) for l in open(f"{out}/cases.jsonl")]
def ir(mode, n):
    i = next(i for i, c in enumerate(cases) if (c["imp"], c["pattern"], c["ty"], c["n"]) == ("StackVec", "local", "u64", n))
    s = json.load(open(f"{out}/{mode}/instructions/registry/call.case_{i}/summary.json"))
    return s["profiles"][0]["data"]["total"]["metrics"]["Ir"]["values"]["new"]
off3, off16, on3, on16 = ir("off", 3), ir("off", 16), ir("on", 3), ir("on", 16)
print(f"StackVec<u64> append loop, n=3: {off3} instructions off, {on3} on")
print(f"StackVec<u64> append loop, n=16: {off16} off, {on16} on")
print(f"per push: {((on16 - on3) - (off16 - off3)) / 13:+.1f} instructions")
print(f"per vector (creation + drop): {on3 - off3:+d} instructions")
PY
