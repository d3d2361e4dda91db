//! Checking a run's output against the references.
//!
//! Every program prints `checksum <name> <value>`, which must be identical for every runner (the native
//! x86-64 build is the reference), and floating-point programs also print `exact <name> <value>`, the bit
//! pattern of their result. That one legitimately differs between ISAs (AArch64 gcc fuses a*b+c into
//! fmadd), so it is compared within an ISA: Wasm against native, elfrun against qemu-aarch64.

use crate::measure::Run;

/// The lines of a program's output that are compared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signature {
    pub checksum: Option<String>,
    pub exact: Option<String>,
}

/// Extracts the `checksum` and `exact` lines for `program` from its stdout (the last of each wins).
pub fn signature(program: &str, stdout: &str) -> Signature {
    let mut sig = Signature::default();
    for line in stdout.lines() {
        let mut words = line.split_whitespace();
        let (Some(kind), Some(name), Some(value), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            continue;
        };
        if name != program {
            continue;
        }
        match kind {
            "checksum" => sig.checksum = Some(value.to_string()),
            "exact" => sig.exact = Some(value.to_string()),
            _ => {}
        }
    }
    sig
}

/// The verdict on one runner's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Checksum (and exact line, where there is a same-ISA reference) as expected.
    Ok,
    /// The run did not exit with status 0 (the program's self-check failed, or the runner crashed).
    Failed { why: String },
    /// The program printed no checksum line.
    NoChecksum,
    /// The portable checksum differs from the reference's.
    Mismatch { got: String, want: String },
    /// The portable checksum agrees but the bit-exact result differs from the same-ISA reference's.
    ExactMismatch { got: String, want: String },
}

impl Verdict {
    pub fn is_ok(&self) -> bool {
        *self == Verdict::Ok
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Ok => f.write_str("ok"),
            Verdict::Failed { why } => write!(f, "FAILED ({why})"),
            Verdict::NoChecksum => f.write_str("FAILED (no checksum line)"),
            Verdict::Mismatch { got, want } => {
                write!(f, "CHECKSUM MISMATCH (got {got}, native {want})")
            }
            Verdict::ExactMismatch { got, want } => {
                write!(f, "EXACT MISMATCH (got {got}, same-ISA reference {want})")
            }
        }
    }
}

/// Judges `run` of `program`. `checksum_ref` is the reference checksum (None: no reference, only the exit
/// status and presence of a checksum are checked); `exact_ref` the same-ISA reference's signature.
pub fn judge(
    program: &str,
    run: &Run,
    checksum_ref: Option<&str>,
    exact_ref: Option<&Signature>,
) -> Verdict {
    if !run.status.success() {
        let tail: String = run
            .stderr
            .lines()
            .last()
            .unwrap_or("")
            .chars()
            .take(120)
            .collect();
        let why = if tail.is_empty() {
            run.status.to_string()
        } else {
            format!("{}: {tail}", run.status)
        };
        return Verdict::Failed { why };
    }
    let sig = signature(program, &run.stdout);
    let Some(sum) = sig.checksum else {
        return Verdict::NoChecksum;
    };
    if let Some(want) = checksum_ref
        && sum != want
    {
        return Verdict::Mismatch {
            got: sum,
            want: want.to_string(),
        };
    }
    if let Some(reference) = exact_ref
        && let Some(want) = &reference.exact
        && sig.exact.as_ref() != Some(want)
    {
        return Verdict::ExactMismatch {
            got: sig.exact.unwrap_or_else(|| "nothing".into()),
            want: want.clone(),
        };
    }
    Verdict::Ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Status;
    use std::time::Duration;

    fn run(status: Status, stdout: &str) -> Run {
        Run {
            wall: Duration::from_secs(1),
            cpu: Duration::from_secs(1),
            peak_rss_kib: 1,
            status,
            stdout: stdout.into(),
            stderr: "FAILED: x.c:1: cond\n".into(),
        }
    }

    const OUT: &str = "mlp: 5 epochs\nchecksum mlp 161eea00-16\nexact mlp 80ec7d3e\n";

    #[test]
    fn parses_signature_lines() {
        let s = signature("mlp", OUT);
        assert_eq!(s.checksum.as_deref(), Some("161eea00-16"));
        assert_eq!(s.exact.as_deref(), Some("80ec7d3e"));
        // Another program's lines and malformed lines are ignored.
        let s = signature(
            "primes",
            "checksum mlp 1\nchecksum primes\nchecksum primes 2 3\n",
        );
        assert_eq!(s, Signature::default());
    }

    #[test]
    fn judges_checksums() {
        let ok = run(Status::Exited(0), OUT);
        assert_eq!(judge("mlp", &ok, Some("161eea00-16"), None), Verdict::Ok);
        assert_eq!(
            judge("mlp", &ok, Some("161eea00-17"), None),
            Verdict::Mismatch {
                got: "161eea00-16".into(),
                want: "161eea00-17".into()
            }
        );
        let reference = signature("mlp", "checksum mlp 161eea00-16\nexact mlp 05b1991e\n");
        assert!(matches!(
            judge("mlp", &ok, Some("161eea00-16"), Some(&reference)),
            Verdict::ExactMismatch { .. }
        ));
        let no_exact = Signature::default();
        assert_eq!(judge("mlp", &ok, None, Some(&no_exact)), Verdict::Ok);
    }

    #[test]
    fn failures_win_over_output() {
        let bad = run(Status::Exited(1), OUT);
        let v = judge("mlp", &bad, Some("161eea00-16"), None);
        assert_eq!(
            v,
            Verdict::Failed {
                why: "exit 1: FAILED: x.c:1: cond".into()
            }
        );
        let silent = run(Status::Exited(0), "hello\n");
        assert_eq!(judge("mlp", &silent, None, None), Verdict::NoChecksum);
    }
}
