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
}
