//! The two charts: Go's table as small multiples per pattern (Go 1.24 -> Go 1.26 -> StackVec in
//! strong colours, the Rust peers muted), and the bulk inline and at-scale rows.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use stackfirst_benches::{bulk, scale, NS};

use super::{bulk_rows, get, Table, PATTERNS};

const GO_124: RGBColor = RGBColor(0x9e, 0xca, 0xe1);
const GO_126: RGBColor = RGBColor(0x21, 0x71, 0xb5);
const STACKVEC: RGBColor = RGBColor(0xe6, 0x55, 0x0d);
const VEC: RGBColor = RGBColor(0xb0, 0xb0, 0xb0);
const SMALLVEC: RGBColor = RGBColor(0xd4, 0xc4, 0xae);
const ARRAYVEC: RGBColor = RGBColor(0xbf, 0xd3, 0xb8);
const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);

/// A series: its column in the table, its colour, and whether its bars carry their value.
type Series = (&'static str, RGBColor, bool);

/// Short names of the bulk and at-scale patterns for the x axis, in their `PATTERNS` order.
const BULK_SHORT: [&str; 8] = [
    "extend_from_slice",
    "extend copied",
    "extend map",
    "From<[T; n]>",
    "collect copied",
    "collect map",
    "clone",
    "resize",
];
const SCALE_SHORT: [&str; 6] = [
    "push loop",
    "collect map",
    "extend map",
    "collect filter",
    "extend filter",
    "from_slice",
];

/// One group of bars: its x-axis label and a value per series (`None`: not measured or no
/// such API).
struct Group {
    label: String,
    values: Vec<Option<f64>>,
}

/// Clears the chart, draws its title and the legend in one row; returns the area below.
fn heading<'a>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    title: &str,
    series: &[Series],
) -> DrawingArea<SVGBackend<'a>, Shift> {
    root.fill(&WHITE).unwrap();
    let (head, body) = root.split_vertically(90);
    let title_style = ("sans-serif", 22).into_font().color(&INK);
    head.draw(&Text::new(title, (20, 10), title_style)).unwrap();
    let area = head.split_vertically(40).1;
    let mut x = 20;
    for &(name, color, _) in series {
        area.draw(&Rectangle::new([(x, 14), (x + 16, 30)], color.filled()))
            .unwrap();
        area.draw(&Text::new(
            name,
            (x + 22, 14),
            ("sans-serif", 17).into_font().color(&INK),
        ))
        .unwrap();
        x += 40 + 9 * name.len() as i32;
    }
    body
}

/// One panel: grouped vertical bars on a y axis from 0 to `max`.
fn panel(
    area: &DrawingArea<SVGBackend, Shift>,
    title: &str,
    y_desc: &str,
    series: &[Series],
    groups: &[Group],
    max: f64,
    decimals: usize,
) {
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 19).into_font().color(&INK))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..groups.len() as f64 - 0.5, 0f64..max * 1.12)
        .unwrap();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(0xe8, 0xe8, 0xe8))
        .x_labels(groups.len())
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() > 0.01 || i < 0.0 {
                return String::new();
            }
            groups
                .get(i as usize)
                .map_or(String::new(), |g| g.label.clone())
        })
        .x_label_style(("sans-serif", 14).into_font().color(&INK))
        .y_labels(6)
        .y_label_formatter(&|y| format!("{y:.decimals$}"))
        .y_desc(y_desc)
        .axis_desc_style(("sans-serif", 14).into_font().color(&INK))
        .draw()
        .unwrap();
    let width = 0.84 / series.len() as f64;
    let label = ("sans-serif", 13)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    for (s, &(_, color, labelled)) in series.iter().enumerate() {
        for (g, group) in groups.iter().enumerate() {
            let x0 = g as f64 - 0.42 + s as f64 * width;
            let Some(v) = group.values[s] else {
                // Not measured, or no such API in that container.
                let text = Text::new("–", (x0 + width * 0.46, 0.0), label.clone());
                chart.draw_series([text]).unwrap();
                continue;
            };
            chart
                .draw_series([Rectangle::new(
                    [(x0, 0.0), (x0 + width * 0.92, v)],
                    color.filled(),
                )])
                .unwrap();
            if labelled {
                let text = format!("{v:.decimals$}");
                chart
                    .draw_series([Text::new(text, (x0 + width * 0.46, v), label.clone())])
                    .unwrap();
            }
        }
    }
}

fn max_of(groups: &[Group]) -> f64 {
    groups
        .iter()
        .flat_map(|g| g.values.iter().flatten())
        .fold(1.0, |m: f64, &v| m.max(v))
}

/// Go's table, u64: one panel per pattern, `n` = 3, 5, 16 in each, one y scale for all.
pub fn go_table(t: &Table, path: &Path) {
    let series: [Series; 6] = [
        ("Go 1.24", GO_124, false),
        ("Go 1.26", GO_126, true),
        ("StackVec", STACKVEC, true),
        ("Vec", VEC, false),
        ("smallvec", SMALLVEC, false),
        ("arrayvec", ARRAYVEC, false),
    ];
    let panels: Vec<(&str, Vec<Group>)> = PATTERNS
        .iter()
        .map(|&(pattern, label)| {
            let groups = NS
                .iter()
                .map(|n| Group {
                    label: format!("n = {n}"),
                    values: series
                        .iter()
                        .map(|(c, _, _)| {
                            let i = get(t, pattern, "u64", &n.to_string(), c).instructions;
                            i.map(|i| i as f64)
                        })
                        .collect(),
                })
                .collect();
            (label, groups)
        })
        .collect();
    let max = panels.iter().map(|(_, g)| max_of(g)).fold(1.0, f64::max);

    let root = SVGBackend::new(path, (1200, 820)).into_drawing_area();
    let body = heading(
        &root,
        "Go's allocation patterns, u64: instructions per call (net of the harness floor; lower is better)",
        &series,
    );
    for (area, (label, groups)) in body.split_evenly((2, 2)).iter().zip(&panels) {
        panel(area, label, "instructions", &series, groups, max, 0);
    }
    root.present().unwrap();
}

/// The bulk inline rows (u64, n = 3) and the at-scale rows (instructions per element).
pub fn bulk(t: &Table, path: &Path) {
    let bulk_series: Vec<Series> = bulk_rows::BULK_COLUMNS
        .iter()
        .map(|&c| (c, color_of(c), c == "StackVec" || c == "arrayvec"))
        .collect();
    let n = bulk::u64s::N.to_string();
    let bulk_groups: Vec<Group> = bulk::PATTERNS
        .iter()
        .zip(BULK_SHORT)
        .map(|(pattern, label)| Group {
            label: label.into(),
            values: bulk_series
                .iter()
                .map(|(c, _, _)| get(t, pattern, "u64", &n, c).instructions.map(|i| i as f64))
                .collect(),
        })
        .collect();
    let scale_series: Vec<Series> = bulk_rows::SCALE_COLUMNS
        .iter()
        .map(|&c| (c, color_of(c), c != "smallvec"))
        .collect();
    let scale_groups = |n: usize| -> Vec<Group> {
        scale::PATTERNS
            .iter()
            .zip(SCALE_SHORT)
            .map(|(pattern, label)| Group {
                label: label.into(),
                values: scale_series
                    .iter()
                    .map(|(c, _, _)| bulk_rows::per_element(t, pattern, n, c))
                    .collect(),
            })
            .collect()
    };

    let root = SVGBackend::new(path, (1200, 900)).into_drawing_area();
    let body = heading(
        &root,
        "Bulk operations and vectors at scale, u64 (net instructions; lower is better)",
        &bulk_series,
    );
    let (top, bottom) = body.split_vertically(400);
    panel(
        &top,
        &format!("Bulk, inline: n = {n}, instructions per call (only Vec allocates)"),
        "instructions",
        &bulk_series,
        &bulk_groups,
        max_of(&bulk_groups),
        0,
    );
    let halves = bottom.split_evenly((1, 2));
    let scale: Vec<(usize, Vec<Group>)> = scale::NS.iter().map(|&n| (n, scale_groups(n))).collect();
    let max = scale.iter().map(|(_, g)| max_of(g)).fold(1.0, f64::max);
    for (area, (n, groups)) in halves.iter().zip(&scale) {
        panel(
            area,
            &format!("At scale: n = {}, instructions per element", thousands(*n)),
            "instructions / element",
            &scale_series,
            groups,
            max,
            1,
        );
    }
    root.present().unwrap();
}

fn color_of(column: &str) -> RGBColor {
    match column {
        "StackVec" => STACKVEC,
        "arrayvec" => ARRAYVEC,
        "smallvec" => SMALLVEC,
        _ => VEC,
    }
}

/// `100000` as `100,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}
