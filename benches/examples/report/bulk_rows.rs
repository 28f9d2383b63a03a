//! The bulk inline and at-scale sections of RESULTS.md.

use std::fmt::Write as _;

use stackfirst_benches::{bulk, scale};

use super::{get, Platform, Table};

/// The bulk rows' columns.
pub const BULK_COLUMNS: [&str; 4] = ["StackVec", "arrayvec", "smallvec", "Vec"];
/// The at-scale rows' columns.
pub const SCALE_COLUMNS: [&str; 3] = ["StackVec", "smallvec", "Vec"];

/// The bulk rows' `n` for an element type: what fits StackVec's default 32-byte budget.
pub fn n_of(ty: &str) -> usize {
    match ty {
        "u64" => bulk::u64s::N,
        "u32" => bulk::u32s::N,
        _ => bulk::pairs::N,
    }
}

/// A count as the tables show it: whole, or to two decimals.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x}")
    } else {
        format!("{x:.2}")
    }
}

/// An at-scale row's net instructions divided by its `n`.
pub fn per_element(t: &Table, pattern: &str, n: usize, column: &str) -> Option<f64> {
    get(t, pattern, "u64", &n.to_string(), column)
        .instructions
        .map(|i| i as f64 / n as f64)
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "–".into(),
    }
}

/// Both sections (the at-scale one only where it was measured).
pub fn markdown(t: &Table, p: &Platform) -> String {
    let mut s = String::new();
    s += "\n## Bulk operations, inline\n\n";
    s += "Each operation builds a vector of `n` elements that fits StackVec's 32-byte budget \
          (so only `Vec` allocates), then sums it, like the patterns above: the slice rows read \
          a static source through `black_box`, `(0..n).map(f)` computes its elements from the \
          run-time `n`, `From<[T; n]>` copies a static array read through `black_box` (its `n` \
          is the array's length), and `resize` fills with a value read through `black_box`. \
          arrayvec holds 16 elements. `–`: the container has no \
          such API (arrayvec has no `From<[T; M]>` below its capacity and no `resize`; \
          smallvec 1.x has no `From<[T; M]>` below its inline size). `clone()` clones a vector \
          built before the measured call.\n\n";
    let _ = writeln!(
        s,
        "| pattern | type | n | {} | StackVec / arrayvec |",
        BULK_COLUMNS.join(" | ")
    );
    let _ = writeln!(s, "|---|---|---|{}---|", "---|".repeat(BULK_COLUMNS.len()));
    for pattern in bulk::PATTERNS {
        for ty in p.types() {
            let n = n_of(ty).to_string();
            let cells: Vec<String> = BULK_COLUMNS
                .iter()
                .map(|c| get(t, pattern, ty, &n, c).show())
                .collect();
            let instr = |c| get(t, pattern, ty, &n, c).instructions.map(|i| i as f64);
            let _ = writeln!(
                s,
                "| {pattern} | {ty} | {n} | {} | {} |",
                cells.join(" | "),
                ratio(instr("StackVec"), instr("arrayvec"))
            );
        }
    }

    let measured = scale::PATTERNS
        .iter()
        .any(|pattern| per_element(t, pattern, scale::NS[0], "StackVec").is_some());
    if !measured {
        return s;
    }
    s += "\n## At scale\n\n";
    s += "u64, one call each, from empty (`push loop` pushes `i`; the iterators read a static \
          source through `black_box`; `p` keeps every element, which the optimizer cannot \
          know), then summed. Each cell is **heap allocations / instructions per element** \
          (net instructions divided by `n`); a reallocation counts as an allocation.\n\n";
    let _ = writeln!(
        s,
        "| pattern | type | n | {} | StackVec / Vec |",
        SCALE_COLUMNS.join(" | ")
    );
    let _ = writeln!(s, "|---|---|---|{}---|", "---|".repeat(SCALE_COLUMNS.len()));
    for pattern in scale::PATTERNS {
        for n in scale::NS {
            let cells: Vec<String> = SCALE_COLUMNS
                .iter()
                .map(|c| {
                    let allocs = get(t, pattern, "u64", &n.to_string(), c).allocs;
                    match (allocs, per_element(t, pattern, n, c)) {
                        (None, None) => "–".into(),
                        (a, i) => format!(
                            "{} / {}",
                            a.map_or("?".into(), number),
                            i.map_or("?".into(), |i| format!("{i:.2}"))
                        ),
                    }
                })
                .collect();
            let per = |c| per_element(t, pattern, n, c);
            let _ = writeln!(
                s,
                "| {pattern} | u64 | {n} | {} | {} |",
                cells.join(" | "),
                ratio(per("StackVec"), per("Vec"))
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{key, parse_results, Cell, NATIVE};

    /// `--check` reads back what the report writes: allocations, and instructions for the
    /// at-scale rows per element and the bulk rows per call; nothing from the ratio column.
    #[test]
    fn the_check_parses_the_rows_it_guards() {
        let mut t = Table::new();
        let mut put = |pattern: &str, n: u64, column: &str, i: i64| {
            let c = Cell {
                allocs: Some(1.0),
                instructions: Some(i),
            };
            t.insert(key(pattern, "u64", Some(n), column), c);
        };
        put("push loop", 1000, "StackVec", 17_846);
        put("push loop", 1000, "Vec", 12_000);
        put("extend_from_slice", 3, "StackVec", 99);
        let parsed = parse_results(&markdown(&t, &NATIVE));
        let at = |pattern: &str, n: &str, column: &str| {
            let k = (pattern.into(), "u64".into(), n.into(), column.into());
            parsed.get(&k).copied()
        };
        assert_eq!(at("push loop", "1000", "StackVec"), Some((1.0, 17.85)));
        assert_eq!(at("push loop", "1000", "Vec"), Some((1.0, 12.0)));
        assert_eq!(at("extend_from_slice", "3", "StackVec"), Some((1.0, 99.0)));
        assert_eq!(parsed.len(), 3, "{parsed:?}");
    }
}
