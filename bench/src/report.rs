//! Summaries of the measurements: medians and spreads, and the markdown table and CSV file.

use std::fmt::Write as _;

/// Median, minimum and maximum of a set of wall times in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    /// None for an empty set. The median of an even count is the mean of the middle two.
    pub fn of(times: &[f64]) -> Option<Stats> {
        if times.is_empty() {
            return None;
        }
        let mut t = times.to_vec();
        t.sort_by(f64::total_cmp);
        let n = t.len();
        let median = if n % 2 == 1 {
            t[n / 2]
        } else {
            (t[n / 2 - 1] + t[n / 2]) / 2.0
        };
        Some(Stats {
            median,
            min: t[0],
            max: t[n - 1],
        })
    }
}

/// One runner's result for one program.
#[derive(Clone, Debug)]
pub struct Row {
    pub program: String,
    pub runner: String,
    /// Wall times of the timed rounds, in seconds (empty unless the runner's output verified).
    pub times: Vec<f64>,
    /// User + system CPU times of the same rounds, in seconds.
    pub cpu_times: Vec<f64>,
    /// Largest peak RSS over the rounds, KiB.
    pub peak_rss_kib: u64,
    /// "ok", or why the runner was not timed (verification failure, missing tool).
    pub status: String,
}

impl Row {
    pub fn stats(&self) -> Option<Stats> {
        Stats::of(&self.times)
    }
}

/// Which times the relative speeds are computed from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Basis {
    /// Median wall time (the default).
    #[default]
    Wall,
    /// Median user + system CPU time: steadier when other work loads the machine.
    Cpu,
}

impl Basis {
    fn median(self, row: &Row) -> Option<f64> {
        let times = match self {
            Basis::Wall => &row.times,
            Basis::Cpu => &row.cpu_times,
        };
        Stats::of(times).map(|s| s.median)
    }
}

fn median_of(rows: &[Row], basis: Basis, program: &str, runner: &str) -> Option<f64> {
    rows.iter()
        .find(|r| r.program == program && r.runner == runner)
        .and_then(|r| basis.median(r))
}

/// Speed relative to native in percent (100% = as fast as native), and speed as a multiple of qemu's.
pub fn relative(rows: &[Row], basis: Basis, row: &Row) -> (Option<f64>, Option<f64>) {
    let Some(m) = basis.median(row) else {
        return (None, None);
    };
    let native = median_of(rows, basis, &row.program, "native").map(|n| 100.0 * n / m);
    let qemu = median_of(rows, basis, &row.program, "qemu").map(|q| q / m);
    (native, qemu)
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "–".into())
}

/// The results as a markdown table.
pub fn markdown(rows: &[Row], basis: Basis) -> String {
    let mut s = String::from(
        "| program | runner | median s | spread (min–max) s | median CPU s | % of native | speed vs qemu | peak RSS MiB | status |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let st = r.stats();
        let (pct, vs_qemu) = relative(rows, basis, r);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.program,
            r.runner,
            opt(st.map(|s| s.median), |m| format!("{m:.3}")),
            opt(st.map(|s| s.min), |_| {
                let s = st.unwrap();
                format!("{:.3}–{:.3}", s.min, s.max)
            }),
            opt(Stats::of(&r.cpu_times).map(|s| s.median), |m| format!(
                "{m:.3}"
            )),
            opt(pct, |p| format!("{p:.1}%")),
            opt(vs_qemu, |q| format!("{q:.2}×")),
            if st.is_some() {
                format!("{:.1}", r.peak_rss_kib as f64 / 1024.0)
            } else {
                "–".into()
            },
            r.status,
        );
    }
    s
}

/// The results as CSV (one row per program and runner; empty fields where nothing was measured).
pub fn csv(rows: &[Row], basis: Basis) -> String {
    let mut s = String::from(
        "program,runner,rounds,median_s,min_s,max_s,median_cpu_s,pct_of_native,speed_vs_qemu,peak_rss_kib,status\n",
    );
    for r in rows {
        let st = r.stats();
        let (pct, vs_qemu) = relative(rows, basis, r);
        let f = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},\"{}\"",
            r.program,
            r.runner,
            r.times.len(),
            f(st.map(|s| s.median)),
            f(st.map(|s| s.min)),
            f(st.map(|s| s.max)),
            f(Stats::of(&r.cpu_times).map(|s| s.median)),
            f(pct),
            f(vs_qemu),
            if st.is_some() {
                r.peak_rss_kib.to_string()
            } else {
                String::new()
            },
            r.status.replace('"', "'"),
        );
    }
    s
}

/// Escapes text for use in XML character data and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Bar colours, one per runner in order of first appearance (colour-blind friendly, Okabe–Ito).
const PALETTE: [&str; 8] = [
    "#555555", "#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#0072b2", "#d55e00", "#f0e442",
];

/// A percentage as a bar label: two significant digits below 10%, one decimal place above.
fn pct_label(p: f64) -> String {
    if p < 1.0 {
        format!("{p:.2}%")
    } else if p < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// The results as an SVG bar chart: one group of bars per program, one bar per runner, bar height = speed as a
/// percentage of native on a logarithmic axis (decades from below the slowest to above the fastest), each bar
/// labelled with its value, a legend of the runners and `title` on top. Runners without a measurement leave an
/// empty slot (so a runner keeps its position in every group); every measured bar is a `rect` of class `bar`.
pub fn svg(rows: &[Row], basis: Basis, title: &str) -> String {
    let mut programs: Vec<&str> = Vec::new();
    let mut runners: Vec<&str> = Vec::new();
    for r in rows {
        if !programs.contains(&r.program.as_str()) {
            programs.push(&r.program);
        }
        if !runners.contains(&r.runner.as_str()) {
            runners.push(&r.runner);
        }
    }
    let values: Vec<Option<f64>> = rows
        .iter()
        .map(|r| {
            relative(rows, basis, r)
                .0
                .filter(|p| p.is_finite() && *p > 0.0)
        })
        .collect();
    let measured = values.iter().flatten().copied();
    let lo_val = measured.clone().fold(f64::INFINITY, f64::min);
    let hi_val = measured.fold(0.0f64, f64::max);
    // Axis from the decade below the slowest to the decade above the fastest (at least one decade).
    let (lo_dec, hi_dec) = if hi_val > 0.0 {
        let lo = lo_val.log10().floor() as i32;
        let hi = (hi_val.log10().ceil() as i32).max(lo + 1);
        (lo, hi)
    } else {
        (0, 2)
    };

    let bar_w = 24.0;
    let group_gap = 36.0;
    let group_w = bar_w * runners.len().max(1) as f64 + group_gap;
    let (left, top, plot_h, bottom) = (70.0, 70.0, 320.0, 50.0);
    let legend_w = 170.0;
    let plot_w = group_w * programs.len().max(1) as f64;
    // Wide enough for the title too (bold 14 px sans-serif: about 8 px a character).
    let width = (left + plot_w + legend_w).max(title.chars().count() as f64 * 8.0 + 40.0);
    let height = top + plot_h + bottom;
    let y_of = |p: f64| {
        let frac = (p.log10() - lo_dec as f64) / (hi_dec - lo_dec) as f64;
        top + plot_h * (1.0 - frac.clamp(0.0, 1.0))
    };

    let mut s = String::new();
    let _ = writeln!(s, r##"<?xml version="1.0" encoding="UTF-8"?>"##);
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11">"##
    );
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="white"/>"##
    );
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="24" text-anchor="middle" font-size="14" font-weight="bold">{}</text>"##,
        width / 2.0,
        xml_escape(title)
    );
    // Axis: a grid line and label per decade, minor ticks at 2× and 5×.
    for d in lo_dec..=hi_dec {
        let p = 10f64.powi(d);
        let y = y_of(p);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="1"/>"##,
            left + plot_w,
            if d == 2 { "#888888" } else { "#dddddd" }
        );
        let label = if d >= 0 {
            format!("{}%", 10u64.pow(d as u32))
        } else {
            format!("{}%", 1.0 / 10f64.powi(-d))
        };
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"##,
            left - 6.0,
            y + 4.0
        );
        if d < hi_dec {
            for m in [2.0, 5.0] {
                let y = y_of(p * m);
                let _ = writeln!(
                    s,
                    r##"<line x1="{:.1}" y1="{y:.1}" x2="{left}" y2="{y:.1}" stroke="#888888" stroke-width="1"/>"##,
                    left - 3.0
                );
            }
        }
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" stroke="black" stroke-width="1"/>"##,
        top + plot_h
    );
    let _ = writeln!(
        s,
        r##"<text x="18" y="{:.1}" text-anchor="middle" transform="rotate(-90 18 {:.1})">% of native speed ({} time, log scale)</text>"##,
        top + plot_h / 2.0,
        top + plot_h / 2.0,
        match basis {
            Basis::Wall => "wall",
            Basis::Cpu => "CPU",
        }
    );
    // Bars.
    let base_y = top + plot_h;
    for (gi, program) in programs.iter().enumerate() {
        let gx = left + group_w * gi as f64 + group_gap / 2.0;
        for (r, v) in rows.iter().zip(&values) {
            if r.program != *program {
                continue;
            }
            let ri = runners.iter().position(|n| *n == r.runner).unwrap_or(0);
            let x = gx + bar_w * ri as f64;
            let Some(p) = *v else { continue };
            let y = y_of(p);
            let _ = writeln!(
                s,
                r##"<rect class="bar" x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} / {}: {}</title></rect>"##,
                x + 1.0,
                bar_w - 2.0,
                base_y - y,
                PALETTE[ri % PALETTE.len()],
                xml_escape(program),
                xml_escape(&r.runner),
                pct_label(p)
            );
            let (tx, ty) = (x + bar_w / 2.0 + 4.0, y - 4.0);
            let _ = writeln!(
                s,
                r##"<text x="{tx:.1}" y="{ty:.1}" transform="rotate(-90 {tx:.1} {ty:.1})" font-size="10">{}</text>"##,
                pct_label(p)
            );
        }
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">{}</text>"##,
            gx + bar_w * runners.len() as f64 / 2.0,
            base_y + 20.0,
            xml_escape(program)
        );
    }
    if values.iter().all(Option::is_none) {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">no runner was measured against native</text>"##,
            left + plot_w / 2.0,
            top + plot_h / 2.0
        );
    }
    // Legend.
    let lx = left + plot_w + 20.0;
    for (i, runner) in runners.iter().enumerate() {
        let y = top + 18.0 * i as f64;
        let _ = writeln!(
            s,
            r##"<rect class="legend" x="{lx:.1}" y="{y:.1}" width="12" height="12" fill="{}"/>"##,
            PALETTE[i % PALETTE.len()]
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}">{}</text>"##,
            lx + 18.0,
            y + 10.0,
            xml_escape(runner)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(runner: &str, times: &[f64]) -> Row {
        Row {
            program: "primes".into(),
            runner: runner.into(),
            times: times.to_vec(),
            cpu_times: times.iter().map(|t| t / 2.0).collect(),
            peak_rss_kib: 2048,
            status: "ok".into(),
        }
    }

    #[test]
    fn medians_and_spread() {
        assert_eq!(Stats::of(&[]), None);
        let s = Stats::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        let s = Stats::of(&[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 4.0));
    }

    #[test]
    fn relative_speeds() {
        let rows = vec![
            row("native", &[1.0]),
            row("qemu", &[2.0]),
            row("elfrun", &[8.0]),
        ];
        assert_eq!(
            relative(&rows, Basis::Wall, &rows[2]),
            (Some(12.5), Some(0.25))
        );
        assert_eq!(
            relative(&rows, Basis::Wall, &rows[0]),
            (Some(100.0), Some(2.0))
        );
        let mut busy = rows.clone();
        busy[0].cpu_times = vec![0.25];
        assert_eq!(
            relative(&busy, Basis::Cpu, &busy[2]),
            (Some(6.25), Some(0.25))
        );
    }

    #[test]
    fn table_and_csv() {
        let mut failed = row("elfrun", &[]);
        failed.status = "FAILED (exit 1)".into();
        let rows = vec![row("native", &[1.0, 1.2, 0.9]), row("qemu", &[2.0]), failed];
        let md = markdown(&rows, Basis::Wall);
        assert!(md.contains(
            "| primes | native | 1.000 | 0.900–1.200 | 0.500 | 100.0% | 2.00× | 2.0 | ok |"
        ));
        assert!(md.contains("| primes | elfrun | – | – | – | – | – | – | FAILED (exit 1) |"));
        let csv = csv(&rows, Basis::Wall);
        assert!(csv.contains(
            "primes,qemu,1,2.000000,2.000000,2.000000,1.000000,50.000000,1.000000,2048,\"ok\""
        ));
        assert!(csv.contains("primes,elfrun,0,,,,,,,,\"FAILED (exit 1)\""));
    }

    /// A small XML well-formedness check: balanced, properly nested elements, quoted attributes, only the
    /// predefined entities, no stray `<` or `>` in text. Returns the start tags (name and attribute text).
    fn parse_xml(doc: &str) -> Result<Vec<(String, String)>, String> {
        let mut stack: Vec<String> = Vec::new();
        let mut starts = Vec::new();
        let mut rest = doc.trim_start();
        let check_text = |t: &str| -> Result<(), String> {
            if t.contains('>') {
                return Err(format!("stray > in text {t:?}"));
            }
            for (i, _) in t.match_indices('&') {
                let ent = &t[i..];
                if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| ent.starts_with(e))
                {
                    return Err(format!("bad entity in {t:?}"));
                }
            }
            Ok(())
        };
        if let Some(r) = rest.strip_prefix("<?xml") {
            rest = &r[r.find("?>").ok_or("unterminated declaration")? + 2..];
        }
        let mut seen_root = false;
        loop {
            let lt = rest.find('<');
            let text = &rest[..lt.unwrap_or(rest.len())];
            check_text(text)?;
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root element: {text:?}"));
            }
            let Some(lt) = lt else { break };
            rest = &rest[lt + 1..];
            let gt = rest.find('>').ok_or("unterminated tag")?;
            let tag = &rest[..gt];
            rest = &rest[gt + 1..];
            if tag.contains('<') {
                return Err(format!("< inside tag {tag:?}"));
            }
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("unmatched </{name}>"))?;
                if open != name.trim() {
                    return Err(format!("<{open}> closed by </{name}>"));
                }
                continue;
            }
            if stack.is_empty() && seen_root {
                return Err("second root element".into());
            }
            let (body, empty) = match tag.strip_suffix('/') {
                Some(b) => (b, true),
                None => (tag, false),
            };
            let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
            let (name, mut attrs) = body.split_at(name_end);
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '-') {
                return Err(format!("bad element name in {tag:?}"));
            }
            let attr_text = attrs.to_string();
            // name="value" pairs, nothing else.
            loop {
                attrs = attrs.trim_start();
                if attrs.is_empty() {
                    break;
                }
                let eq = attrs
                    .find("=\"")
                    .ok_or(format!("bad attribute in {tag:?}"))?;
                let aname = &attrs[..eq];
                if aname.is_empty()
                    || !aname
                        .chars()
                        .all(|c| c.is_alphanumeric() || "-:".contains(c))
                {
                    return Err(format!("bad attribute name in {tag:?}"));
                }
                let after = &attrs[eq + 2..];
                let close = after
                    .find('"')
                    .ok_or(format!("unquoted attribute in {tag:?}"))?;
                check_text(&after[..close])?;
                attrs = &after[close + 1..];
                if !attrs.is_empty() && !attrs.starts_with(char::is_whitespace) {
                    return Err(format!("attributes not separated in {tag:?}"));
                }
            }
            seen_root = true;
            starts.push((name.to_string(), attr_text));
            if !empty {
                stack.push(name.to_string());
            }
        }
        if let Some(open) = stack.pop() {
            return Err(format!("<{open}> never closed"));
        }
        if !seen_root {
            return Err("no root element".into());
        }
        Ok(starts)
    }

    fn attr(attrs: &str, name: &str) -> f64 {
        let start = attrs.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let len = attrs[start..].find('"').unwrap();
        attrs[start..start + len].parse().unwrap()
    }

    #[test]
    fn xml_checker_rejects_broken_documents() {
        assert!(parse_xml("<svg><rect x=\"1\"/></svg>").is_ok());
        for bad in [
            "<svg><rect x=\"1\"></svg>",
            "<svg><g></svg></g>",
            "<svg x=1></svg>",
            "<svg>a & b</svg>",
            "<svg>a < b</svg>",
            "<svg></svg><svg></svg>",
            "<svg>",
        ] {
            assert!(parse_xml(bad).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn svg_chart_has_one_bar_per_measured_row() {
        let mut skipped = row("wasm", &[]);
        skipped.status = "skipped: node not found".into();
        let mut rows = vec![
            row("native", &[1.0]),
            skipped,
            row("qemu", &[10.0]),
            row("elfrun", &[200.0]),
        ];
        let mut other = vec![row("native", &[2.0]), row("qemu", &[4.0])];
        for r in &mut other {
            r.program = "a<b&c".into();
        }
        rows.extend(other);
        let doc = svg(&rows, Basis::Wall, "speed \"vs\" native & <qemu>");
        let starts = parse_xml(&doc).unwrap_or_else(|e| panic!("{e}\n{doc}"));
        assert_eq!(starts[0].0, "svg");
        let bars: Vec<&str> = starts
            .iter()
            .filter(|(n, a)| n == "rect" && a.contains("class=\"bar\""))
            .map(|(_, a)| a.as_str())
            .collect();
        assert_eq!(bars.len(), 5, "{doc}");
        // Heights follow the values on a log axis: 100% / 10% / 0.5% in the first group, equal decades equal steps.
        let h: Vec<f64> = bars.iter().map(|a| attr(a, "height")).collect();
        assert!(h[0] > h[1] && h[1] > h[2] && h[2] > 0.0, "{h:?}");
        let decade = h[0] - h[1];
        let expected_half_pct = h[1] - decade * (10.0f64 / 0.5).log10();
        assert!((h[2] - expected_half_pct).abs() < 0.5, "{h:?}");
        assert!((h[3] - h[0]).abs() < 0.01 && (h[4] - (h[0] - decade * 2f64.log10())).abs() < 0.5);
        // Bars stand on the same baseline; the skipped runner keeps its slot empty.
        let base: Vec<f64> = bars
            .iter()
            .map(|a| attr(a, "y") + attr(a, "height"))
            .collect();
        assert!(base.iter().all(|b| (b - base[0]).abs() < 0.01), "{base:?}");
        assert!(attr(bars[1], "x") - attr(bars[0], "x") > 1.5 * attr(bars[0], "width"));
        for label in ["100%", "10%", "0.50%", "50%", "0.1%"] {
            assert!(
                doc.contains(&format!(">{label}<")),
                "no label {label}\n{doc}"
            );
        }
        assert!(
            doc.contains("a&lt;b&amp;c")
                && doc.contains("speed &quot;vs&quot; native &amp; &lt;qemu&gt;")
        );
        for r in ["native", "wasm", "qemu", "elfrun"] {
            assert!(doc.contains(&format!(">{r}</text>")), "legend lacks {r}");
        }
        assert_eq!(
            starts
                .iter()
                .filter(|(_, a)| a.contains("class=\"legend\""))
                .count(),
            4
        );

        // Nothing measured: still a document, no bars.
        let empty = svg(&[row("elfrun", &[])], Basis::Wall, "t");
        let starts = parse_xml(&empty).unwrap();
        assert!(!starts.iter().any(|(_, a)| a.contains("class=\"bar\"")));
    }
}
