//! The string table (`stackfirst_benches::strings`): its RESULTS.md section, its verdicts, and
//! its README block. Same measurements, same cells as the vector table.

use std::fmt::Write as _;
use std::path::Path;

use stackfirst_benches::strings::{LENS, TY};

use super::{get, Platform, Table};

const COLUMNS: [&str; 11] = [
    "Go 1.24",
    "Go 1.26",
    "String",
    "compact_str",
    "smallstr",
    "ArrayString",
    "heapless",
    "StackString",
    "stack_concat!",
    "StackString into_heap_exact",
    "StackString in frame",
];
const PATTERNS: [&str; 5] = [
    "a+b local",
    "a+b+c local",
    "a+b returned",
    "string(b) local",
    "itoa+suffix local",
];
/// Inline building: `push_str` of two or three parts, `stack_format!` of an integer and text.
const BUILDING: [&str; 3] = ["a+b local", "a+b+c local", "itoa+suffix local"];
const README_START: &str = "<!-- string table: written by benches/run.sh -->";
const README_END: &str = "<!-- end of string table -->";

fn rows() -> impl Iterator<Item = (&'static str, String)> {
    PATTERNS
        .into_iter()
        .flat_map(|p| LENS.map(move |n| (p, n.to_string())))
}

fn table(t: &Table, columns: &[&str]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| pattern | bytes | {} |", columns.join(" | "));
    let _ = writeln!(s, "|---|---|{}", "---|".repeat(columns.len()));
    for (p, n) in rows() {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| get(t, p, TY, &n, c).show())
            .collect();
        let _ = writeln!(s, "| {p} | {n} | {} |", cells.join(" | "));
    }
    s
}

fn verdicts(t: &Table, platform: &Platform) -> String {
    let mut out = String::new();
    let verdict = |out: &mut String, ok: bool, what: String, misses: Vec<String>| {
        let _ = writeln!(out, "- **{}**: {what}", if ok { "met" } else { "missed" });
        for m in misses {
            let _ = writeln!(out, "  - {m}");
        }
    };
    let allocs = |p: &str, n: &str, c: &str| get(t, p, TY, n, c).allocs;
    let instructions = |p: &str, n: &str, c: &str| get(t, p, TY, n, c).instructions;

    let mut misses = Vec::new();
    for (p, n) in rows() {
        let fits = n.parse::<usize>().is_ok_and(|n| n <= 32);
        for c in ["StackString", "stack_concat!"] {
            if let Some(a) = allocs(p, &n, c) {
                let want = if fits { 0.0 } else { 1.0 };
                // Past the budget, building by pushes may grow more than once; concat may not.
                if (fits || c == "stack_concat!") && a != want {
                    misses.push(format!(
                        "{p} {n} bytes [{c}]: {a} allocations, expected {want}"
                    ));
                }
            }
        }
        if let Some(a) = allocs(p, &n, "StackString into_heap_exact") {
            if fits && a != 1.0 {
                misses.push(format!("{p} {n} bytes [into_heap_exact]: {a} allocations"));
            }
        }
    }
    verdict(
        &mut out,
        misses.is_empty(),
        "0 allocations whenever the result fits the 32-byte budget (returned by value too); 1 \
         exact allocation through `into_heap_exact` when it escapes; `stack_concat!` allocates \
         once, exactly, when it does not fit."
            .into(),
        misses,
    );

    let ratio = |other: &str, limit: f64, only: &[&str], inline_only: bool| {
        let (mut misses, mut worst, mut seen) = (Vec::new(), 0f64, false);
        for (p, n) in rows().filter(|(p, _)| only.is_empty() || only.contains(p)) {
            if inline_only && allocs(p, &n, "StackString") != Some(0.0) {
                continue;
            }
            if let (Some(a), Some(b)) = (
                instructions(p, &n, "StackString"),
                instructions(p, &n, other),
            ) {
                seen = true;
                let r = a as f64 / b.max(1) as f64;
                worst = worst.max(r);
                if r > limit || (limit == 1.0 && a >= b) {
                    // The row's no-spill floor (the lower of the two columns that never
                    // spill), when it is not the comparison itself.
                    let floor = ["ArrayString", "heapless"]
                        .into_iter()
                        .filter_map(|c| Some((instructions(p, &n, c)?, c)))
                        .min()
                        .filter(|&(_, c)| c != other)
                        .map_or_else(String::new, |(f, c)| format!("; no-spill floor: {c} {f}"));
                    misses.push(format!(
                        "{p} {n} bytes: StackString {a}, {other} {b} ({r:.2}x{floor})"
                    ));
                }
            }
        }
        (misses, worst, seen)
    };
    let (m, worst, seen) = ratio("ArrayString", 1.10, &BUILDING, true);
    if seen {
        verdict(
            &mut out,
            m.is_empty(),
            format!(
                "inline building (`push_str` of 2-3 parts, `stack_format!` of an integer and \
                 text) costs at most 1.10x `ArrayString`'s instructions (worst {worst:.2}x)."
            ),
            m,
        );
    }
    for other in ["compact_str", "smallstr", "Go 1.26"] {
        let (m, worst, seen) = ratio(other, 1.0, &[], false);
        if seen {
            verdict(
                &mut out,
                m.is_empty(),
                format!("StackString takes fewer instructions than {other} on every row (worst {worst:.2}x)."),
                m,
            );
        } else {
            let _ = writeln!(out, "- **not checked**: fewer instructions than {other} (not measured on this platform).");
        }
    }
    if platform.native {
        let (string, vec) = (
            size_of::<stackfirst::StackString>(),
            size_of::<stackfirst::StackVec<u8>>(),
        );
        verdict(
            &mut out,
            string == vec,
            format!(
                "`size_of::<StackString>()` ({string}) equals `size_of::<StackVec<u8>>()` ({vec})."
            ),
            vec![],
        );
    }
    out
}

/// The RESULTS.md section, inserted before the vector table's verdicts.
pub fn with_section(md: String, t: &Table, platform: &Platform) -> String {
    let mut s = String::from("\n## Strings: Go's 32-byte string buffer\n\n");
    s += "Each cell is **heap allocations / instructions per call** (net of the harness floor), \
          for results of 11, 24 and 40 bytes. The patterns are in `benches/src/strings.rs` and \
          `benches/go/strings.go`: `a+b` builds with `push_str` (Go: `a + b`), `string(b)` \
          validates the bytes in Rust (Go copies without validating), `itoa+suffix` is \
          `strconv.Itoa(n) + suffix` in Go and `format!`-style formatting in Rust \
          (`stack_format!`, `format_compact!`, `write!`). `StackString` returns by value in the \
          `returned` rows; `stack_concat!` is Go's `concatstrings` (total length first); \
          `StackString in frame` writes the line with `fmt::Write` into a 32-byte string that \
          spills into an arena frame (enter and exit counted). `ArrayString` and `heapless` hold \
          64 bytes (the no-spill floors), `smallstr` has the 32-byte budget, `compact_str` 24 \
          inline bytes.\n\n";
    s += &table(t, &COLUMNS);
    s += "\n### String verdicts\n\n";
    s += &verdicts(t, platform);
    s += "\nThe causes of each miss, measured, are under \"Strings\" in the analysis below.\n";
    match md.find("\n## Verdicts") {
        Some(at) => format!("{}{s}{}", &md[..at], &md[at..]),
        None => md + &s,
    }
}

/// The README's copy of the string table and its verdicts, between its markers (native only).
pub fn write_readme(t: &Table, platform: &Platform, root: &Path) {
    if !platform.native {
        return;
    }
    let path = root.join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (readme.find(README_START), readme.find(README_END)) else {
        return;
    };
    // The README leaves out heapless (as ArrayString), `stack_concat!` and the frame.
    let columns: Vec<&str> = COLUMNS
        .into_iter()
        .filter(|c| !["heapless", "stack_concat!", "StackString in frame"].contains(c))
        .collect();
    let block = format!(
        "Per call, heap allocations / instructions (net), x86_64, by result length in bytes. From \
         [benches/RESULTS.md](benches/RESULTS.md), which also has heapless, `stack_concat!`, the \
         frame and the causes of each miss:\n\n{}\n{}",
        table(t, &columns),
        verdicts(t, platform)
    );
    let updated = format!("{}{README_START}\n{block}{}", &readme[..a], &readme[b..]);
    std::fs::write(&path, updated).unwrap();
}
