//! `elfrun run --lockstep`: every stretch of lifted code is re-run by the interpreter and the two results are
//! compared — registers, flags, FP state and every writable page of guest memory.
//!
//! Before lifted code is entered, the process forks (a raw `clone` without an exit signal, so the guest sees no
//! SIGCHLD). The parent runs the lifted code to its exit and sends the child how it stopped, the resulting CPU
//! state and hashes of the writable pages it touched (resident per `mincore`); the child, still holding the
//! memory and registers from before, single-steps the interpreter until registers and memory agree (or it stops,
//! or runs past a limit) and answers with the instruction count and, on disagreement, a report. A stretch of
//! lifted code makes no system call, so both sides see the same memory map. Any difference ends the guest with
//! that report (exit status 134, as SIGABRT).
//!
//! It is a checking mode: each stretch costs a fork and hashing the touched pages on both sides.

use std::collections::BTreeMap;
use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};

use elfrun_aot::abi::{STATE_ADDR, Status};
use elfrun_interp::eval::{Eval, Exit};
use elfrun_interp::state::CpuState;

use crate::Guest;
use crate::host::PAGE;
use crate::vm::PROT_WRITE;

/// Instructions the interpreter may run looking for the lifted code's exit state.
const REPLAY_LIMIT: u64 = 1 << 28;

/// Counts of a `--lockstep` run.
#[derive(Clone, Copy, Debug, Default)]
pub struct LockstepStats {
    /// Stretches of lifted code checked.
    pub windows: u64,
    /// Guest instructions the interpreter re-ran to check them.
    pub instructions: u64,
}

impl Guest {
    /// Runs lifted code from `cpu.pc` as [`crate::tier::Aot::run`] does, checked by the interpreter. `Err`: an
    /// internal error or a disagreement (the message says which).
    pub(crate) fn run_aot_lockstep(&mut self) -> Result<Status, String> {
        let entered_at = self.cpu.pc;
        let (down_r, down_w) = pipe()?;
        let (up_r, up_w) = pipe()?;
        // SAFETY: a fork-like clone (no CLONE_VM, exit signal 0). The child only runs the interpreter on its copy
        // of the process, writes to a pipe and leaves with `_exit`.
        let pid = unsafe { libc::syscall(libc::SYS_clone, 0 as libc::c_ulong, 0, 0, 0, 0) };
        if pid < 0 {
            return Err(format!(
                "lockstep: cannot fork: {}",
                std::io::Error::last_os_error()
            ));
        }
        if pid == 0 {
            drop((down_w, up_r));
            self.lockstep_child(File::from(down_r), File::from(up_w));
        }
        drop((down_r, up_w));
        let (mut down, mut up) = (File::from(down_w), File::from(up_r));

        let aot = self.aot.as_deref_mut().ok_or("lockstep without a bundle")?;
        let mem = self.space.mem();
        let status = aot.run(&mut self.cpu, self.space.host_mut(), mem);
        let verdict = match &status {
            Ok(st) => {
                // To the child: how lifted code stopped, its state, and the hashes of the pages we touched.
                let mut msg = vec![*st as u8];
                msg.extend(state_bytes(&self.cpu));
                for page in self.touched_pages() {
                    msg.extend(page.to_le_bytes());
                    msg.extend(self.page_hash(page).to_le_bytes());
                }
                let sent = down.write_all(&msg);
                drop(down);
                let mut reply = Vec::new();
                match sent.and_then(|()| up.read_to_end(&mut reply)) {
                    Ok(_) if reply.len() >= 8 => {
                        let n = u64::from_le_bytes(reply[..8].try_into().unwrap_or_default());
                        let stats = self
                            .aot
                            .as_deref_mut()
                            .map(|a| a.lockstep.get_or_insert_default());
                        if let Some(stats) = stats {
                            stats.windows += 1;
                            stats.instructions += n;
                        }
                        match &reply[8..] {
                            [] => Ok(()),
                            why => Err(format!(
                                "lockstep: lifted code entered at {entered_at:#x} disagrees with the interpreter: {}",
                                String::from_utf8_lossy(why)
                            )),
                        }
                    }
                    Ok(_) => Err("lockstep: the checking process sent no answer".into()),
                    Err(e) => Err(format!("lockstep: lost the checking process: {e}")),
                }
            }
            Err(_) => {
                drop(down);
                Ok(())
            }
        };
        let mut wstatus = 0;
        // SAFETY: waiting for our own child.
        unsafe { libc::waitpid(pid as libc::pid_t, &mut wstatus, libc::__WALL) };
        verdict?;
        status
    }

    /// The child's side: replays, answers `[instructions: u64][report]` (no report: agreement). Never returns.
    fn lockstep_child(&mut self, mut down: File, mut up: File) -> ! {
        let mut msg = Vec::new();
        let header = 1 + size_of::<CpuState>();
        if down.read_to_end(&mut msg).is_ok() && msg.len() >= header {
            let mut want = CpuState::default();
            // SAFETY: CpuState is plain old data (repr(C), integers only); every bit pattern is valid.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    msg[1..].as_ptr(),
                    (&raw mut want).cast::<u8>(),
                    size_of::<CpuState>(),
                )
            };
            let pages: BTreeMap<u64, u64> = msg[header..]
                .chunks_exact(16)
                .map(|c| {
                    let w =
                        |i: usize| u64::from_le_bytes(c[i..i + 8].try_into().unwrap_or_default());
                    (w(0), w(8))
                })
                .collect();
            let (n, report) = self.replay(msg[0] == Status::Syscall as u8, &want, &pages);
            let mut out = n.to_le_bytes().to_vec();
            out.extend(report.unwrap_or_default().as_bytes());
            let _ = up.write_all(&out);
        }
        // SAFETY: leaving the forked copy without running destructors (they belong to the parent's process).
        unsafe { libc::_exit(0) }
    }

    /// Single-steps the interpreter from the current state until its registers equal `want` and its memory
    /// hashes to `pages` (the lifted code's touched pages; any other page must be untouched or zero). Lifted code
    /// that stopped for a system call (`syscall`) stopped right after the first SVC it reached, so the replay must
    /// end there too; otherwise a register match with different memory is looked for further (a loop may come
    /// back to the same registers). Returns the instructions run and, on disagreement, a report.
    fn replay(
        &mut self,
        syscall: bool,
        want: &CpuState,
        pages: &BTreeMap<u64, u64>,
    ) -> (u64, Option<String>) {
        let mem = self.space.mem();
        let mut n = 0u64;
        let mut after_svc = false;
        let mut memory_differs: Option<(u64, Vec<u64>)> = None;
        // The pages that differed at the last register match: checked first at the next one. Registers an exit
        // left undefined are not compared, so in code that keeps its variables in memory (-O0) the registers
        // can match at every iteration of a loop, and hashing every page each time made a replay 3× slower.
        let mut differed: Vec<u64> = Vec::new();
        let stopped = loop {
            if same_state(&self.cpu, want)
                && after_svc == syscall
                && !differed.iter().any(|&p| self.page_differs(p, pages))
            {
                let differ = self.memory_diff(pages);
                if differ.is_empty() {
                    return (n, None);
                }
                differed.clone_from(&differ);
                memory_differs.get_or_insert((n, differ));
            }
            if after_svc {
                break "it reached a system call".to_string();
            }
            if n >= REPLAY_LIMIT {
                break format!(
                    "it ran {n} instructions without reaching the lifted code's exit state"
                );
            }
            let pc = self.cpu.pc;
            let Ok(id) = self.cache.lookup(pc, &mem) else {
                break format!("instruction fetch fault at {pc:#x}");
            };
            let insn = self.cache.block(id).insn(0);
            match Eval::new(&mut self.cpu, mem).step(insn, pc) {
                Ok(next) => self.cpu.pc = next,
                Err(Exit::Syscall) => {
                    self.cpu.pc = pc.wrapping_add(4);
                    after_svc = true;
                }
                Err(e) => break format!("{e:?} at {pc:#x}"),
            }
            n += 1;
        };
        let report = match memory_differs {
            Some((k, differ)) => format!(
                "after {k} instructions the registers agree but memory differs in {} page(s): {}",
                differ.len(),
                differ
                    .iter()
                    .take(4)
                    .map(|p| format!("{p:#x}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!(
                "the interpreter never reached the lifted code's exit state ({stopped}, after {n} instructions);{}",
                state_diff(want, &self.cpu)
            ),
        };
        (n, Some(report))
    }

    /// Pages whose contents differ from `pages` (hashes of the other side's touched pages; pages missing there
    /// were never touched, so zero).
    fn memory_diff(&self, pages: &BTreeMap<u64, u64>) -> Vec<u64> {
        let mut all: Vec<u64> = pages.keys().copied().collect();
        all.extend(self.touched_pages());
        all.sort_unstable();
        all.dedup();
        all.into_iter()
            .filter(|&p| self.page_differs(p, pages))
            .collect()
    }

    /// Whether page `p` differs from its hash in `pages` (zero when it is not there: never touched).
    fn page_differs(&self, p: u64, pages: &BTreeMap<u64, u64>) -> bool {
        static ZERO: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let want = pages.get(&p).copied().unwrap_or_else(|| {
            *ZERO.get_or_init(|| {
                let mut h = DefaultHasher::new();
                h.write(&[0; PAGE as usize]);
                h.finish()
            })
        });
        self.page_hash(p) != want
    }

    /// The writable guest pages this process has touched (resident in host memory), in address order. A page
    /// never touched reads as zeros.
    fn touched_pages(&self) -> Vec<u64> {
        let mem = self.space.mem();
        let state_page = STATE_ADDR & !(PAGE - 1);
        let mut out = Vec::new();
        for (start, vma) in self.space.vmas() {
            if vma.prot & PROT_WRITE == 0 {
                continue;
            }
            let len = vma.end - start;
            let Ok(ptr) = mem.host_ptr(start, len) else {
                continue;
            };
            let mut resident = vec![0u8; (len / PAGE) as usize];
            // SAFETY: `ptr..ptr + len` is page-aligned host memory of the guest region; `resident` has one byte per
            // page.
            if unsafe { libc::mincore(ptr.cast(), len as usize, resident.as_mut_ptr()) } != 0 {
                resident.fill(1);
            }
            for (i, r) in resident.iter().enumerate() {
                let page = start + i as u64 * PAGE;
                if r & 1 != 0 && page != state_page {
                    out.push(page);
                }
            }
        }
        out
    }

    fn page_hash(&self, page: u64) -> u64 {
        let mut h = DefaultHasher::new();
        match self.space.mem().host_ptr(page, PAGE) {
            // SAFETY: a guest page inside the region, valid for reads.
            Ok(p) => h.write(unsafe { std::slice::from_raw_parts(p, PAGE as usize) }),
            Err(_) => h.write_u8(0xff),
        }
        h.finish()
    }
}

/// The architectural state both tiers must agree on: all of it but the registers lifted code's state `aot`
/// says it left undefined (dead where it continues).
fn same_state(interp: &CpuState, aot: &CpuState) -> bool {
    let undefined = |r: usize| aot.undefined & (1 << r) != 0;
    (0..31).all(|i| interp.x[i] == aot.x[i] || undefined(i))
        && (interp.sp == aot.sp || undefined(31))
        && interp.pc == aot.pc
        && (interp.nzcv == aot.nzcv || undefined(32))
        && interp.fpcr == aot.fpcr
        && interp.fpsr == aot.fpsr
        && interp.tpidr_el0 == aot.tpidr_el0
        && (0..32).all(|i| interp.v[i] == aot.v[i] || aot.undefined_v & (1 << i) != 0)
}

/// The registers that differ between lifted code's state `aot` and the interpreter's `interp`, as text (but
/// those lifted code left undefined).
fn state_diff(aot: &CpuState, interp: &CpuState) -> String {
    let mut s = String::new();
    let defined = |r: usize| aot.undefined & (1 << r) == 0;
    let mut note = |name: String, a: String, b: String| {
        if a != b {
            s += &format!(" {name}: lifted {a}, interpreter {b};");
        }
    };
    for i in (0..31).filter(|&i| defined(i)) {
        note(
            format!("x{i}"),
            format!("{:#x}", aot.x[i]),
            format!("{:#x}", interp.x[i]),
        );
    }
    // With the bit that says a register is undefined, if it can be.
    for (name, a, b, bit) in [
        ("sp", aot.sp, interp.sp, Some(31)),
        ("pc", aot.pc, interp.pc, None),
        ("nzcv", aot.nzcv, interp.nzcv, Some(32)),
        ("fpcr", aot.fpcr, interp.fpcr, None),
        ("fpsr", aot.fpsr, interp.fpsr, None),
        ("tpidr_el0", aot.tpidr_el0, interp.tpidr_el0, None),
    ] {
        if bit.is_none_or(defined) {
            note(name.into(), format!("{a:#x}"), format!("{b:#x}"));
        }
    }
    for i in (0..32).filter(|&i| aot.undefined_v & (1 << i) == 0) {
        note(
            format!("v{i}"),
            format!("{:#x}", aot.v[i]),
            format!("{:#x}", interp.v[i]),
        );
    }
    s
}

fn state_bytes(cpu: &CpuState) -> &[u8] {
    // SAFETY: CpuState is repr(C) plain old data; its padding (alignment) is initialised as fields.
    unsafe {
        std::slice::from_raw_parts((cpu as *const CpuState).cast::<u8>(), size_of::<CpuState>())
    }
}

fn pipe() -> Result<(OwnedFd, OwnedFd), String> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills `fds` on success.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!(
            "lockstep: pipe: {}",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: two fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}
