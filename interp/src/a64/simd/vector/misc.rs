//! Integer two-register misc (same element size: REV, CNT, NOT, RBIT, ABS, NEG, CLS, CLZ, compares against
//! zero, SQABS/SQNEG, SUQADD/USQADD, URECPE, URSQRTE) and across-lanes reductions (ADDV, SADDLV, SMAXV, …).

use super::Vector;
use super::int::map3;
use super::lanes::*;
use crate::sem::{Sem, Width};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Un {
    Rev16,
    Rev32,
    Rev64,
    Cnt,
    Not,
    Rbit,
    Abs,
    Neg,
    Cls,
    Clz,
    Cmeq0,
    Cmge0,
    Cmgt0,
    Cmle0,
    Cmlt0,
    Sqabs,
    Sqneg,
    Suqadd,
    Usqadd,
    Urecpe,
    Ursqrte,
}

/// One element of a same-size two-register misc operation (not the REV family). `a` and `d` are zero-extended.
pub(crate) fn un_elem<S: Sem>(s: &mut S, qc: &mut Qc<S>, op: Un, e: u32, a: S::V, d: S::V) -> S::V {
    use Un::*;
    let z = s.imm(0);
    let sa = ext(s, a, e, true);
    match op {
        Cnt => s.popcount(a),
        Not => s.not(a),
        Rbit => {
            let r = s.rbit(Width::W64, a);
            let sh = s.imm(64 - e as u64);
            s.lsr(Width::W64, r, sh)
        }
        Abs => abs64(s, sa),
        Neg => s.sub(z, a),
        Clz => {
            let c = s.clz(Width::W64, a);
            let k = s.imm(64 - e as u64);
            s.sub(c, k)
        }
        Cls => {
            let one = s.imm(1);
            let h = s.asr(Width::W64, sa, one);
            let x = s.xor(sa, h);
            let c = s.clz(Width::W64, x);
            let k = s.imm(64 - e as u64 + 1);
            s.sub(c, k)
        }
        Cmeq0 | Cmge0 | Cmgt0 | Cmle0 | Cmlt0 => {
            let c = match op {
                Cmeq0 => s.eq(sa, z),
                Cmge0 => {
                    let c = s.slt(sa, z);
                    s.b_not(c)
                }
                Cmgt0 => s.slt(z, sa),
                Cmle0 => {
                    let c = s.slt(z, sa);
                    s.b_not(c)
                }
                _ => s.slt(sa, z),
            };
            mask_of(s, c, e)
        }
        Sqabs | Sqneg => {
            let mn = s.imm(smin(e));
            let is_min = s.eq(sa, mn);
            let r = if op == Sqabs {
                abs64(s, sa)
            } else {
                s.sub(z, sa)
            };
            let mx = s.imm(smax(e));
            qc.note(s, is_min);
            s.select(is_min, mx, r)
        }
        Suqadd => {
            // Signed d plus unsigned a: overflows only upwards, iff a > MAX − d.
            let sd = ext(s, d, e, true);
            let mx = s.imm(smax(e));
            let room = s.sub(mx, sd);
            let room = s.zext(room, e);
            let over = s.ult(room, a);
            let r = s.add(sd, a);
            qc.note(s, over);
            s.select(over, mx, r)
        }
        Usqadd => {
            // Unsigned d plus signed a.
            let r = s.add(d, sa);
            let neg = s.slt(sa, z);
            let na = s.sub(z, sa);
            let under = s.ult(d, na);
            let under = s.b_and(neg, under);
            let over = if e < 64 {
                let m = s.imm(ones(e));
                s.slt(m, r)
            } else {
                s.ult(r, d)
            };
            let pos = s.b_not(neg);
            let over = s.b_and(pos, over);
            let m = s.imm(ones(e));
            let r = s.select(over, m, r);
            let r = s.select(under, z, r);
            let any = s.b_or(over, under);
            qc.note(s, any);
            r
        }
        Urecpe => {
            // UnsignedRecipEstimate on 32 bits: inputs below 2^31 give all-ones.
            let top = s.imm(0x8000_0000);
            let small = s.ult(a, top);
            let sh = s.imm(23);
            let i = s.lsr(Width::W64, a, sh); // a<31:23>, 256..=511
            let two = s.imm(2);
            let one = s.imm(1);
            let i = s.mul(i, two);
            let i = s.add(i, one);
            let num = s.imm(1 << 19);
            let q = s.udiv(Width::W64, num, i);
            let q = s.add(q, one);
            let q = s.lsr(Width::W64, q, one);
            let sh31 = s.imm(23);
            let r = s.shl(Width::W64, q, sh31);
            let m = s.imm(0xffff_ffff);
            s.select(small, m, r)
        }
        Ursqrte => {
            // UnsignedRSqrtEstimate / RecipSqrtEstimate: inputs below 2^30 give all-ones; otherwise the
            // 9-bit estimate from a<31:23>. The ARM ARM's search loop (smallest b ≥ 512 with
            // x·(b+1)² ≥ 2^28) is a 9-step binary search here.
            let sh30 = s.imm(30);
            let top = s.lsr(Width::W64, a, sh30);
            let small = s.eq(top, z);
            let sh23 = s.imm(23);
            let i = s.lsr(Width::W64, a, sh23); // 128..=511
            let one = s.imm(1);
            let two = s.imm(2);
            let c256 = s.imm(256);
            let lo = s.ult(i, c256);
            let x_lo = s.mul(i, two);
            let x_lo = s.add(x_lo, one);
            let even = s.imm(!1);
            let x_hi = s.and(i, even);
            let x_hi = s.add(x_hi, one);
            let x_hi = s.mul(x_hi, two);
            let x = s.select(lo, x_lo, x_hi);
            let limit = s.imm(1 << 28);
            let mut b = s.imm(511);
            for bit in (0..9).rev() {
                let k = s.imm(1 << bit);
                let cand = s.add(b, k);
                let t = s.add(cand, one);
                let m = s.mul(t, t);
                let m = s.mul(m, x);
                let below = s.ult(m, limit);
                b = s.select(below, cand, b);
            }
            let r = s.add(b, two);
            let r = s.lsr(Width::W64, r, one);
            let m9 = s.imm(0x1ff);
            let r = s.and(r, m9);
            let r = s.shl(Width::W64, r, sh23);
            let all = s.imm(0xffff_ffff);
            s.select(small, all, r)
        }
        Rev16 | Rev32 | Rev64 => a, // element moves, done by `exec_un` with a shuffle
    }
}

pub(crate) fn exec_un<S: Sem>(s: &mut S, v: Vector, op: Un) {
    let e = ebits(v.size);
    let a = s.vreg(v.rn);
    let r = match op {
        Un::Rev16 | Un::Rev32 | Un::Rev64 => {
            let c = match op {
                Un::Rev16 => 16,
                Un::Rev32 => 32,
                _ => 64,
            };
            let flip = c / e - 1;
            let idx = shuffle_idx(e, v.count(e), |i| (false, i ^ flip));
            let r = s.q_shuffle(a, a, idx);
            clear_high(s, r, v.q)
        }
        Un::Cnt => {
            // Bytewise popcount on each 64-bit half (the classic SWAR reduction; Wasm: i8x16.popcnt).
            let lo = s.q_lo(a);
            let lo = popcount_bytes(s, lo);
            let hi = if v.q {
                let hi = s.q_hi(a);
                popcount_bytes(s, hi)
            } else {
                s.imm(0)
            };
            s.q_from(lo, hi)
        }
        Un::Not if !v.scalar => {
            let r = s.q_not(a);
            clear_high(s, r, v.q)
        }
        Un::Neg | Un::Abs | Un::Cmeq0 | Un::Cmge0 | Un::Cmgt0 | Un::Cmle0 | Un::Cmlt0
            if !v.scalar =>
        {
            let z = s.imm(0);
            let zq = s.q_from(z, z);
            let r = match op {
                Un::Neg => s.q_sub(e, zq, a),
                Un::Abs => {
                    let n = s.q_sub(e, zq, a);
                    s.q_minmax(e, true, true, a, n)
                }
                Un::Cmeq0 => s.q_cmeq(e, a, zq),
                Un::Cmgt0 => s.q_cmgt(e, true, a, zq),
                Un::Cmlt0 => s.q_cmgt(e, true, zq, a),
                Un::Cmge0 => {
                    let lt = s.q_cmgt(e, true, zq, a);
                    s.q_not(lt)
                }
                _ => {
                    let gt = s.q_cmgt(e, true, a, zq);
                    s.q_not(gt)
                }
            };
            clear_high(s, r, v.q)
        }
        _ => {
            let accum = matches!(op, Un::Suqadd | Un::Usqadd);
            let mut qc = Qc::new();
            let r = map3(
                s,
                v,
                e,
                a,
                |s, _| s.imm(0),
                |s, x, _, d| un_elem(s, &mut qc, op, e, x, d),
                accum,
            );
            qc.commit(s);
            r
        }
    };
    s.set_vreg(v.rd, r);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Across {
    Addv,
    Saddlv,
    Uaddlv,
    Smaxv,
    Sminv,
    Umaxv,
    Uminv,
}

pub(crate) fn exec_across<S: Sem>(s: &mut S, v: Vector, op: Across) {
    let e = ebits(v.size);
    let a = s.vreg(v.rn);
    let n = v.count(e);
    let signed = matches!(op, Across::Saddlv | Across::Smaxv | Across::Sminv);
    if !matches!(op, Across::Saddlv | Across::Uaddlv) {
        // Halving tree: fold the upper half of the live elements onto the lower half.
        let mut cur = a;
        let mut live = n;
        while live > 1 {
            let half = live / 2;
            let idx = shuffle_idx(e, half, |i| (false, i + half));
            let hi = s.q_shuffle(cur, cur, idx);
            cur = match op {
                Across::Addv => s.q_add(e, cur, hi),
                _ => s.q_minmax(
                    e,
                    signed,
                    matches!(op, Across::Smaxv | Across::Umaxv),
                    cur,
                    hi,
                ),
            };
            live = half;
        }
        let r = s.q_lane(cur, e, 0);
        let z = s.imm(0);
        let q = s.q_from(r, z);
        s.set_vreg(v.rd, q);
        return;
    }
    let mut acc = s.q_lane(a, e, 0);
    acc = ext(s, acc, e, signed);
    for i in 1..n {
        let x = s.q_lane(a, e, i);
        let x = ext(s, x, e, signed);
        acc = match op {
            Across::Addv | Across::Saddlv | Across::Uaddlv => s.add(acc, x),
            _ => {
                let lt = if signed { s.slt(acc, x) } else { s.ult(acc, x) };
                if matches!(op, Across::Smaxv | Across::Umaxv) {
                    s.select(lt, x, acc)
                } else {
                    s.select(lt, acc, x)
                }
            }
        };
    }
    let re = if matches!(op, Across::Saddlv | Across::Uaddlv) {
        2 * e
    } else {
        e
    };
    let r = s.zext(acc, re);
    let z = s.imm(0);
    let q = s.q_from(r, z);
    s.set_vreg(v.rd, q);
}

/// The number of set bits of each byte of `x`, bytewise.
fn popcount_bytes<S: Sem>(s: &mut S, x: S::V) -> S::V {
    let one = s.imm(1);
    let two = s.imm(2);
    let four = s.imm(4);
    let m1 = s.imm(0x5555_5555_5555_5555);
    let m2 = s.imm(0x3333_3333_3333_3333);
    let m4 = s.imm(0x0f0f_0f0f_0f0f_0f0f);
    let h = s.lsr(Width::W64, x, one);
    let h = s.and(h, m1);
    let x = s.sub(x, h);
    let a = s.and(x, m2);
    let b = s.lsr(Width::W64, x, two);
    let b = s.and(b, m2);
    let x = s.add(a, b);
    let h = s.lsr(Width::W64, x, four);
    let x = s.add(x, h);
    s.and(x, m4)
}
