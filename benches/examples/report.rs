//! Builds a platform's RESULTS.md from one measurement run:
//!
//! * native (`benches/run.sh`): gungraun's callgrind summaries, the allocation counts and the Go
//!   measurements, into benches/RESULTS.md, benches/go_table.svg and README's first table;
//! * `--platform cortex-m4` (`no_std-example/run.sh`): the firmware's counts under QEMU
//!   (`OUT_DIR/instructions.jsonl`, `OUT_DIR/allocs.jsonl`, `OUT_DIR/code_size.md`), into
//!   no_std-example/RESULTS.md and README's second table.
//!
//! `report OUT_DIR [--platform cortex-m4] [--check]`: with `--check` the files go under
//! `OUT_DIR` instead, and it exits 1 if a StackVec or arena instruction count rose more than 10%
//! above the committed RESULTS.md, or its allocations per call rose at all.

#[path = "report/strings.rs"]
mod strings;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stackfirst_benches::host::indexed_cases;
use stackfirst_benches::{micro, NS};

#[path = "report/bulk_rows.rs"]
mod bulk_rows;
#[path = "report/chart.rs"]
mod chart;
#[path = "report/targets.rs"]
mod targets;

use targets::verdict;

const GO: [(&str, &str); 2] = [("Go 1.24", "1.24.11"), ("Go 1.26", "1.26.6")];
const COLUMNS: [&str; 12] = [
    "Go 1.24",
    "Go 1.26",
    "Vec",
    "Vec->Box",
    "smallvec",
    "arrayvec",
    "heapless",
    "InlineVec",
    "bumpalo",
    "StackVec",
    "StackVec in frame",
    "StackVec into_heap_exact",
];
const PATTERNS: [(&str, &str); 4] = [
    ("const", "1. make, constant cap"),
    ("var", "2. make, variable cap"),
    ("local", "3. append loop, local"),
    ("escape", "4. append loop, returned"),
];

/// Where a table is measured and where it goes.
struct Platform {
    /// The crate folder (relative to the workspace root) that holds RESULTS.md.
    dir: &'static str,
    /// The word-sized element type of its table.
    word: &'static str,
    how: &'static str,
    /// The command that measures it.
    command: &'static str,
    readme_start: &'static str,
    readme_end: &'static str,
    native: bool,
}

const NATIVE: Platform = Platform {
    dir: "benches",
    word: "u64",
    how:
        "x86_64, callgrind through gungraun; Go through callgrind's `--toggle-collect` on each \
          pattern's own function over 1000 calls, net of an empty Go function measured the same way \
          (both floors are two instructions: the result and the return). The Rust escaping rows \
          pass `n` to the escaping function through `black_box` (3 instructions that Go's do not \
          pay); Go runs with `GOGC=off` and never frees, every Rust column pays its frees",
    command: "bash benches/run.sh",
    readme_start: "<!-- benchmark table: written by benches/run.sh -->",
    readme_end: "<!-- end of benchmark table -->",
    native: true,
};

const CORTEX_M4: Platform = Platform {
    dir: "no_std-example",
    word: "u32",
    how:
        "Cortex-M4 (thumbv7em-none-eabihf, mps2-an386 under QEMU 7.2), every instruction executed \
          between two marker calls counted by the TCG plugin in `no_std-example/qemu-plugin`",
    command: "bash no_std-example/run.sh",
    readme_start: "<!-- cortex-m4 table: written by no_std-example/run.sh -->",
    readme_end: "<!-- end of cortex-m4 table -->",
    native: false,
};

impl Platform {
    fn types(&self) -> [&'static str; 2] {
        [self.word, "16-byte struct"]
    }

    /// Whether `n` elements of `ty` fit Go's 32-byte frame buffer.
    fn fits(&self, ty: &str, n: &str) -> bool {
        let size = match ty {
            "u64" => 8,
            "u32" => 4,
            _ => 16,
        };
        n.parse::<usize>().is_ok_and(|n| n * size <= 32)
    }
}
/// Columns whose counts CI guards.
const GUARDED: [&str; 5] = [
    "StackVec",
    "StackVec in frame",
    "StackVec into_heap_exact",
    "frame arena",
    "growing arena",
];

#[derive(Clone, Copy, Default)]
struct Cell {
    allocs: Option<f64>,
    instructions: Option<i64>,
}

impl Cell {
    fn show(&self) -> String {
        match (self.allocs, self.instructions) {
            (None, None) => "–".into(),
            (a, i) => format!(
                "{} / {}",
                a.map_or("?".into(), |a| format!("{}", (a * 10.0).round() / 10.0)),
                i.map_or("?".into(), |i| i.to_string())
            ),
        }
    }
}

/// An instruction count in a verdict.
fn count(instructions: Option<i64>) -> String {
    instructions.map_or_else(|| "not measured".into(), |i| i.to_string())
}

/// (pattern, type, n, column) -> cell
type Table = BTreeMap<(String, String, String, String), Cell>;

fn json_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn key(pattern: &str, ty: &str, n: Option<u64>, column: &str) -> (String, String, String, String) {
    let n = n.map_or("-".to_string(), |n| n.to_string());
    (pattern.to_string(), ty.to_string(), n, column.to_string())
}

fn load(out: &Path, target: &Path, notes: &mut Vec<String>, p: &Platform) -> (Table, i64) {
    if !p.native {
        return load_firmware(out, notes);
    }
    let mut table = Table::new();
    let summaries = target.join("gungraun/stackfirst-benches/instructions/registry");
    let instructions = |i: usize| -> i64 {
        let path = summaries.join(format!("call.case_{i}/summary.json"));
        let v: Value = serde_json::from_str(
            &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .expect("gungraun summary");
        v["profiles"][0]["data"]["total"]["metrics"]["Ir"]["values"]["new"]
            .as_i64()
            .unwrap_or_else(|| panic!("no Ir in {}", path.display()))
    };
    let cases = indexed_cases();
    let floor = instructions(0);
    for (i, (case, n)) in cases.iter().enumerate().skip(1) {
        let column = if case.imp == "StackVec" && case.pattern == "escape" {
            "StackVec"
        } else {
            case.imp
        };
        let cell = table
            .entry(key(case.pattern, case.ty, n.map(|n| n as u64), column))
            .or_default();
        cell.instructions = Some(instructions(i) - floor);
    }
    for v in json_lines(&out.join("allocs.jsonl")) {
        let k = key(
            v["pattern"].as_str().unwrap(),
            v["ty"].as_str().unwrap(),
            v["n"].as_u64(),
            v["imp"].as_str().unwrap(),
        );
        if let Some(cell) = table.get_mut(&k) {
            cell.allocs = v["allocs"].as_f64();
        }
    }
    for (column, version) in GO {
        if let Ok(why) = std::fs::read_to_string(out.join(format!("go-{version}.unavailable"))) {
            notes.push(format!("{column}: n/a, {}", why.trim()));
            continue;
        }
        for v in json_lines(&out.join(format!("go-{version}.jsonl"))) {
            let k = key(
                v["pattern"].as_str().unwrap(),
                v["ty"].as_str().unwrap(),
                v["n"].as_u64(),
                column,
            );
            table.entry(k).or_default().instructions = v["instructions"].as_i64();
        }
        for v in json_lines(&out.join(format!("go-{version}.allocs.jsonl"))) {
            let k = key(
                v["pattern"].as_str().unwrap(),
                v["ty"].as_str().unwrap(),
                v["n"].as_u64(),
                column,
            );
            table.entry(k).or_default().allocs = v["allocs"].as_f64();
        }
    }
    (table, floor)
}

/// The firmwares' run: one JSON line per measurement (instructions include the floor), each
/// firmware's floor before its cases; every case is net of its own firmware's floor.
fn load_firmware(out: &Path, notes: &mut Vec<String>) -> (Table, i64) {
    let mut table = Table::new();
    let mut floors: Vec<i64> = Vec::new();
    for v in json_lines(&out.join("instructions.jsonl")) {
        let imp = v["imp"].as_str().unwrap();
        let instructions = v["instructions"].as_i64().unwrap();
        if imp == "harness floor" {
            floors.push(instructions);
            continue;
        }
        let floor = *floors
            .last()
            .expect("a firmware's floor comes before its cases");
        let k = key(
            v["pattern"].as_str().unwrap(),
            v["ty"].as_str().unwrap(),
            v["n"].as_u64(),
            imp,
        );
        let cell = table.entry(k).or_default();
        cell.instructions = Some(instructions - floor);
        cell.allocs = v["allocs"].as_f64();
    }
    if floors.iter().any(|&f| f != floors[0]) {
        notes.push(format!("the firmwares' harness floors differ: {floors:?}"));
    }
    notes.push("Go 1.24, Go 1.26: n/a, Go does not target thumbv7em-none-eabihf".into());
    (table, floors[0])
}

fn get(t: &Table, pattern: &str, ty: &str, n: &str, column: &str) -> Cell {
    t.get(&(pattern.into(), ty.into(), n.into(), column.into()))
        .copied()
        .unwrap_or_default()
}

fn markdown(
    t: &Table,
    floor: i64,
    notes: &[String],
    verdicts: &str,
    p: &Platform,
    out: &Path,
) -> String {
    let mut s = String::new();
    s += "# Go's allocation-progression table, measured\n\n";
    let _ = write!(s, "Measured on {}. ", p.how);
    let _ = write!(s, "Generated by `{}` (do not edit by hand). ", p.command);
    s += "Each cell is **heap allocations / \
          instructions per call**. ";
    let _ = write!(
        s,
        "Instructions are net of the harness floor ({floor} instructions: an empty case measured the same way). "
    );
    s += "`–`: not applicable (arrayvec, heapless and InlineVec have no run-time capacity; \
          `Vec->Box` and `into_heap_exact` are escape-only). arrayvec, heapless and InlineVec \
          (this crate's vector that never allocates) hold 16 elements, enough for every row: \
          they are the no-spill floors. The other containers have the 32-byte budget \
          (smallvec `[T; 32 / size_of T]`, StackVec's default). In the escaping rows `StackVec` \
          returns the StackVec by value. `StackVec in frame` counts entering and leaving the frame.\n\n";
    for note in notes {
        let _ = writeln!(s, "- {note}");
    }
    if !notes.is_empty() {
        s += "\n";
    }
    let _ = writeln!(s, "| pattern | type | n | {} |", COLUMNS.join(" | "));
    let _ = writeln!(s, "|---|---|---|{}", "---|".repeat(COLUMNS.len()));
    for (pattern, label) in PATTERNS {
        for ty in p.types() {
            for n in NS {
                let n = n.to_string();
                let cells: Vec<String> = COLUMNS
                    .iter()
                    .map(|c| get(t, pattern, ty, &n, c).show())
                    .collect();
                let _ = writeln!(s, "| {label} | {ty} | {n} | {} |", cells.join(" | "));
            }
        }
    }
    s += "\n## Arena micro-benchmarks\n\n";
    s += "`frame arena`: an open frame of an arena over a fixed buffer; `growing arena`: \
          `Arena::new()` over the global heap (the same code with chunks). bumpalo 3 and \
          bump-scope 2 with their defaults. `enter+alloc u32+exit`: a frame, a bump-scope \
          scope, bumpalo's allocation then `reset`. `alloc u32, chunk full`: the first chunk is \
          full, so a second one comes from the heap (malloc counted; ours inside a frame, \
          entered and left in the count).\n\n";
    let _ = writeln!(
        s,
        "| benchmark | type | n | {} |",
        micro::COLUMNS.join(" | ")
    );
    let _ = writeln!(s, "|---|---|---|{}", "---|".repeat(micro::COLUMNS.len()));
    for p in micro::ROWS {
        let cells: Vec<String> = micro::COLUMNS
            .iter()
            .map(|c| get(t, p, "-", "-", c).show())
            .collect();
        let _ = writeln!(s, "| {p} | - | - | {} |", cells.join(" | "));
    }
    s += &bulk_rows::markdown(t, p);
    s += "\n## Verdicts\n\n";
    s += verdicts;
    if p.native {
        s += "\n![instructions per call, u64](go_table.svg)\n";
        s += "\n![bulk and at-scale rows, u64](bulk_scale.svg)\n";
    }
    // Sections written elsewhere: the firmware's code-size report, and the hand-written analysis.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for extra in [
        out.join("code_size.md"),
        root.join(p.dir).join("analysis.md"),
    ] {
        if let Ok(text) = std::fs::read_to_string(&extra) {
            s += "\n";
            s += &text;
        }
    }
    s
}

/// Where the README's links point: absolute, so that they work on crates.io and docs.rs, where
/// `benches/` and `no_std-example/` are not packaged.
const REPO: &str = "https://github.com/stackfirst-rs/stackfirst";

/// The README's copy of the headline rows (u64, all patterns) and the verdicts, between markers.
fn readme_block(t: &Table, verdicts: &str, p: &Platform) -> String {
    let mut s = format!(
        "Per call, {} elements, heap allocations / instructions (net), {}. From \
         [{dir}/RESULTS.md]({REPO}/blob/main/{dir}/RESULTS.md), which also has the 16-byte \
         struct, the bulk inline (and, natively, at-scale) rows, the arena micro-benchmarks, the \
         verdicts and the analysis:\n\n",
        p.word,
        if p.native {
            "x86_64"
        } else {
            "Cortex-M4 under QEMU"
        },
        dir = p.dir,
    );
    let columns = [
        "Go 1.24",
        "Go 1.26",
        "Vec",
        "smallvec",
        "arrayvec",
        "InlineVec",
        "StackVec",
        "StackVec into_heap_exact",
    ];
    let _ = writeln!(s, "| pattern | n | {} |", columns.join(" | "));
    let _ = writeln!(s, "|---|---|{}", "---|".repeat(columns.len()));
    for (pattern, label) in PATTERNS {
        for n in NS {
            let n = n.to_string();
            let cells: Vec<String> = columns
                .iter()
                .map(|c| get(t, pattern, p.word, &n, c).show())
                .collect();
            let _ = writeln!(s, "| {label} | {n} | {} |", cells.join(" | "));
        }
    }
    let chart = if p.native {
        format!(
            "\n![instructions per call, u64]({REPO}/raw/main/benches/go_table.svg)\n\
             \n![bulk and at-scale rows, u64]({REPO}/raw/main/benches/bulk_scale.svg)\n"
        )
    } else {
        String::new()
    };
    let summary = targets::summary(verdicts, &format!("{REPO}/blob/main/{}/RESULTS.md", p.dir));
    s + "\n" + &summary + &chart
}

/// Checks the issue's targets against the measured table; returns the markdown list.
fn verdicts(t: &Table, platform: &Platform) -> String {
    let mut out = String::new();
    let rows = || targets::go_rows(platform);

    let mut misses = Vec::new();
    for (p, ty, n) in rows() {
        // Where Go was not measured, Go 1.26's rule stands in: no allocation when the data fits
        // its 32-byte buffer.
        let go = get(t, p, ty, &n, "Go 1.26")
            .allocs
            .or(platform.fits(ty, &n).then_some(0.0));
        let sv = get(t, p, ty, &n, "StackVec").allocs;
        if let (Some(go), Some(sv)) = (go, sv) {
            if go == 0.0 && sv != 0.0 {
                misses.push(format!("{p} {ty} n={n}: Go 1.26 {go}, StackVec {sv}"));
            }
        }
        if p == "escape" {
            let exact = get(t, p, ty, &n, "StackVec into_heap_exact").allocs;
            let by_value = get(t, p, ty, &n, "StackVec").allocs;
            let fits = get(t, "local", ty, &n, "StackVec").allocs == Some(0.0);
            if fits && (exact != Some(1.0) || by_value != Some(0.0)) {
                misses.push(format!(
                    "escape {ty} n={n}: into_heap_exact {exact:?}, by value {by_value:?}"
                ));
            }
        }
    }
    verdict(
        &mut out,
        misses.is_empty(),
        "StackVec never allocates where Go 1.26 does not (where Go was not measured: whenever \
         the data fits 32 bytes); when the data fits inline, escaping via `into_heap_exact` \
         allocates exactly once and by value zero times.",
        misses,
    );

    out += &targets::issue12(t, platform);
    let micro_count = |row: &str, col: &str| get(t, row, "-", "-", col).instructions;
    for ours in ["frame arena", "growing arena"] {
        let rows = [micro::ROWS[0], micro::ROWS[1], micro::ROWS[2]];
        let misses: Vec<String> = rows
            .iter()
            .filter_map(|&row| {
                let (a, b) = (micro_count(row, ours), micro_count(row, "bump-scope"));
                (!matches!((a, b), (Some(a), Some(b)) if a <= b))
                    .then(|| format!("{row}: {ours} {}, bump-scope {}", count(a), count(b)))
            })
            .collect();
        verdict(
            &mut out,
            misses.is_empty(),
            &format!("Arena ({ours}): one u32, a 4-u64 slice copy and an 11-byte str take no more instructions than bump-scope's."),
            misses,
        );
    }
    let chunk = (
        micro_count(micro::ROWS[7], "growing arena"),
        micro_count(micro::ROWS[7], "bump-scope"),
    );
    verdict(
        &mut out,
        matches!(chunk, (Some(a), Some(b)) if a <= b),
        &format!(
            "Arena: an allocation that takes a new chunk (ours in a frame) no more instructions than bump-scope's ({} vs {}).",
            count(chunk.0),
            count(chunk.1)
        ),
        vec![],
    );
    let frame = micro_count(micro::ROWS[3], "frame arena");
    let reset = micro_count(micro::ROWS[6], "frame arena");
    let what =
        "Arena: frame enter+exit and reset no slower than this benchmark on the code before chunks";
    if platform.native {
        // Measured by running this benchmark function on the code before chunks (7 and 2;
        // benches/analysis.md). The first round's published 10 also called `used()`.
        verdict(
            &mut out,
            matches!((frame, reset), (Some(f), Some(r)) if f <= 7 && r <= 2),
            &format!(
                "{what} (7 and 2; now {} and {}).",
                count(frame),
                count(reset)
            ),
            vec![],
        );
    } else {
        targets::not_checked(
            &mut out,
            what,
            "not measured on this core with the code before chunks; the first round's row also called `used()`",
        );
    }
    out
}

/// (pattern, type, n, column) -> instructions, from a RESULTS.md written by this tool.
/// Every "allocations / instructions" cell of a RESULTS.md, keyed by row and column.
fn parse_results(md: &str) -> BTreeMap<(String, String, String, String), (f64, f64)> {
    let mut map = BTreeMap::new();
    let mut header: Vec<String> = Vec::new();
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        if cells
            .first()
            .is_some_and(|c| c == "pattern" || c == "benchmark")
        {
            header = cells;
            continue;
        }
        if cells.len() < 4 || cells[0].starts_with("---") {
            continue;
        }
        for (i, cell) in cells.iter().enumerate().skip(3) {
            let mut parts = cell.split(" / ").map(|x| x.parse::<f64>().ok());
            if let (Some(Some(allocs)), Some(Some(instr))) = (parts.next(), parts.next()) {
                let pattern = PATTERNS
                    .iter()
                    .find(|(_, l)| *l == cells[0])
                    .map_or(cells[0].as_str(), |(p, _)| p);
                let column = header.get(i).cloned().unwrap_or_default();
                map.insert(
                    (
                        pattern.to_string(),
                        cells[1].clone(),
                        cells[2].clone(),
                        column,
                    ),
                    (allocs, instr),
                );
            }
        }
    }
    map
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        args.first()
            .expect("usage: report OUT_DIR [--platform cortex-m4] [--check]"),
    );
    let check = args.iter().any(|a| a == "--check");
    let p = if args
        .windows(2)
        .any(|w| w[0] == "--platform" && w[1] == "cortex-m4")
    {
        &CORTEX_M4
    } else {
        &NATIVE
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let committed_path = root.join(p.dir).join("RESULTS.md");

    let mut notes = Vec::new();
    let (table, floor) = load(&out, &root.join("target"), &mut notes, p);
    let v = verdicts(&table, p);
    let md = strings::with_section(markdown(&table, floor, &notes, &v, p, &out), &table, p);
    print!("{md}");

    let dir = if check { out.clone() } else { root.join(p.dir) };
    std::fs::write(dir.join("RESULTS.md"), &md).unwrap();
    if p.native {
        chart::go_table(&table, &dir.join("go_table.svg"));
        chart::bulk(&table, &dir.join("bulk_scale.svg"));
    }
    eprintln!("wrote {}", dir.join("RESULTS.md").display());
    if !check {
        strings::write_readme(&table, p, &root);
        let readme_path = root.join("README.md");
        let readme = std::fs::read_to_string(&readme_path).unwrap();
        if let (Some(a), Some(b)) = (readme.find(p.readme_start), readme.find(p.readme_end)) {
            let block = readme_block(&table, &v, p);
            let updated = format!(
                "{}{}\n{block}{}",
                &readme[..a],
                p.readme_start,
                &readme[b..]
            );
            std::fs::write(&readme_path, updated).unwrap();
            eprintln!("updated the table in README.md");
        }
        return;
    }

    let old = parse_results(&std::fs::read_to_string(&committed_path).unwrap_or_default());
    if old.is_empty() {
        eprintln!(
            "no committed figures in {} to check against",
            committed_path.display()
        );
        std::process::exit(1);
    }
    let new = parse_results(&md);
    let mut rises = Vec::new();
    for (k, &(allocs, instr)) in old.iter().filter(|(k, _)| GUARDED.contains(&k.3.as_str())) {
        let row = format!("{} {} n={} [{}]", k.0, k.1, k.2, k.3);
        match new.get(k) {
            Some(&(_, now)) if now > instr * 1.10 => {
                rises.push(format!("{row}: {instr} -> {now} instructions"))
            }
            Some(&(now, _)) if now > allocs => {
                rises.push(format!("{row}: {allocs} -> {now} allocations per call"))
            }
            Some(_) => {}
            None => rises.push(format!("{row}: no longer measured")),
        }
    }
    if !rises.is_empty() {
        eprintln!(
            "counts rose above {} (instructions by more than 10%, or allocations):",
            committed_path.display()
        );
        for r in rises {
            eprintln!("  {r}");
        }
        std::process::exit(1);
    }
    eprintln!(
        "checked {} guarded counts against {}: no instructions rose more than 10%, no allocations rose",
        old.len(),
        committed_path.display()
    );
}
