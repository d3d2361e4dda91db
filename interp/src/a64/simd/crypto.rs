//! Cryptographic extension instructions elfrun advertises (ARM ARM C4.1.93–C4.1.95 "Cryptographic AES",
//! "Cryptographic three-register SHA", "Cryptographic two-register SHA"): AESE, AESD, AESMC, AESIMC; SHA1C,
//! SHA1P, SHA1M, SHA1H, SHA1SU0, SHA1SU1; SHA256H, SHA256H2, SHA256SU0, SHA256SU1.
//!
//! SHA512, SHA3, SM3 and SM4 are not advertised and decode as `None` (SIGILL); the decoder accepts exactly the
//! encodings above, since [`super::Simd::decode`] tries this class first. The SHA instructions are composed
//! from 32-bit lane primitives following the ARM ARM pseudocode (`SHA1hash*`, `SHA256hash`); AES uses the two
//! primitives [`Sem::aes_sub_shift`] and [`Sem::aes_mix_columns`].

use crate::decode::fields::{bits, reg};
use crate::sem::{Reg, Sem, Width};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AesOp {
    Aese,
    Aesd,
    Aesmc,
    Aesimc,
}

/// Three-register SHA operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sha3Reg {
    Sha1c,
    Sha1p,
    Sha1m,
    Sha1su0,
    Sha256h,
    Sha256h2,
    Sha256su1,
}

/// Two-register SHA operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sha2Reg {
    Sha1h,
    Sha1su1,
    Sha256su0,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crypto {
    Aes {
        op: AesOp,
        rd: Reg,
        rn: Reg,
    },
    Sha3 {
        op: Sha3Reg,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    Sha2 {
        op: Sha2Reg,
        rd: Reg,
        rn: Reg,
    },
}

impl Crypto {
    pub fn decode(w: u32) -> Option<Crypto> {
        let (rd, rn, rm) = (reg(w, 0), reg(w, 5), reg(w, 16));
        // AES: 0100 1110 size:2 10100 opcode:5 10 Rn Rd, size = 00.
        if w & 0xff3e_0c00 == 0x4e28_0800 {
            if bits(w, 23, 22) != 0 {
                return None;
            }
            let op = match bits(w, 16, 12) {
                0b00100 => AesOp::Aese,
                0b00101 => AesOp::Aesd,
                0b00110 => AesOp::Aesmc,
                0b00111 => AesOp::Aesimc,
                _ => return None,
            };
            return Some(Crypto::Aes { op, rd, rn });
        }
        // Three-register SHA: 0101 1110 size:2 0 Rm 0 opcode:3 00 Rn Rd, size = 00.
        if w & 0xff20_8c00 == 0x5e00_0000 {
            if bits(w, 23, 22) != 0 {
                return None;
            }
            let op = match bits(w, 14, 12) {
                0 => Sha3Reg::Sha1c,
                1 => Sha3Reg::Sha1p,
                2 => Sha3Reg::Sha1m,
                3 => Sha3Reg::Sha1su0,
                4 => Sha3Reg::Sha256h,
                5 => Sha3Reg::Sha256h2,
                6 => Sha3Reg::Sha256su1,
                _ => return None,
            };
            return Some(Crypto::Sha3 { op, rd, rn, rm });
        }
        // Two-register SHA: 0101 1110 size:2 10100 opcode:5 10 Rn Rd, size = 00.
        if w & 0xff3e_0c00 == 0x5e28_0800 {
            if bits(w, 23, 22) != 0 {
                return None;
            }
            let op = match bits(w, 16, 12) {
                0 => Sha2Reg::Sha1h,
                1 => Sha2Reg::Sha1su1,
                2 => Sha2Reg::Sha256su0,
                _ => return None,
            };
            return Some(Crypto::Sha2 { op, rd, rn });
        }
        None
    }

    pub fn exec<S: Sem>(self, s: &mut S) {
        match self {
            Crypto::Aes { op, rd, rn } => {
                let r = match op {
                    AesOp::Aese | AesOp::Aesd => {
                        let a = s.vreg(rd);
                        let key = s.vreg(rn);
                        let x = s.q_xor(a, key);
                        s.aes_sub_shift(x, op == AesOp::Aesd)
                    }
                    AesOp::Aesmc | AesOp::Aesimc => {
                        let a = s.vreg(rn);
                        s.aes_mix_columns(a, op == AesOp::Aesimc)
                    }
                };
                s.set_vreg(rd, r);
            }
            Crypto::Sha3 { op, rd, rn, rm } => {
                let r = match op {
                    Sha3Reg::Sha1c | Sha3Reg::Sha1p | Sha3Reg::Sha1m => {
                        sha1_hash(s, op, rd, rn, rm)
                    }
                    Sha3Reg::Sha1su0 => sha1su0(s, rd, rn, rm),
                    Sha3Reg::Sha256h => {
                        let x = lanes(s, rd);
                        let y = lanes(s, rn);
                        let (x, _) = sha256_hash(s, x, y, rm);
                        from_lanes(s, x)
                    }
                    Sha3Reg::Sha256h2 => {
                        let x = lanes(s, rn);
                        let y = lanes(s, rd);
                        let (_, y) = sha256_hash(s, x, y, rm);
                        from_lanes(s, y)
                    }
                    Sha3Reg::Sha256su1 => sha256su1(s, rd, rn, rm),
                };
                s.set_vreg(rd, r);
            }
            Crypto::Sha2 { op, rd, rn } => {
                let r = match op {
                    Sha2Reg::Sha1h => {
                        let q = s.vreg(rn);
                        let e = s.q_lane(q, 32, 0);
                        let r = rol(s, e, 30);
                        let z = s.imm(0);
                        s.q_from(r, z)
                    }
                    Sha2Reg::Sha1su1 => sha1su1(s, rd, rn),
                    Sha2Reg::Sha256su0 => sha256su0(s, rd, rn),
                };
                s.set_vreg(rd, r);
            }
        }
    }
}

/// The four 32-bit lanes of V\[r\] (each zero-extended).
fn lanes<S: Sem>(s: &mut S, r: Reg) -> [S::V; 4] {
    let q = s.vreg(r);
    [
        s.q_lane(q, 32, 0),
        s.q_lane(q, 32, 1),
        s.q_lane(q, 32, 2),
        s.q_lane(q, 32, 3),
    ]
}

/// A 128-bit value from four 32-bit lanes (only their low 32 bits count).
fn from_lanes<S: Sem>(s: &mut S, l: [S::V; 4]) -> S::Q {
    let z = s.imm(0);
    let mut q = s.q_from(z, z);
    for (i, v) in l.into_iter().enumerate() {
        q = s.q_with_lane(q, 32, i as u32, v);
    }
    q
}

fn ror<S: Sem>(s: &mut S, v: S::V, n: u32) -> S::V {
    let amt = s.imm(n as u64);
    s.ror(Width::W32, v, amt)
}

fn rol<S: Sem>(s: &mut S, v: S::V, n: u32) -> S::V {
    ror(s, v, 32 - n)
}

fn lsr<S: Sem>(s: &mut S, v: S::V, n: u32) -> S::V {
    let amt = s.imm(n as u64);
    s.lsr(Width::W32, v, amt)
}

/// 32-bit wrapping sum, zero-extended.
fn add32<S: Sem>(s: &mut S, terms: &[S::V]) -> S::V {
    let mut acc = terms[0];
    for &t in &terms[1..] {
        acc = s.add(acc, t);
    }
    s.zext(acc, 32)
}

/// `SHAchoose(x, y, z) = ((y EOR z) AND x) EOR z`.
fn sha_choose<S: Sem>(s: &mut S, x: S::V, y: S::V, z: S::V) -> S::V {
    let t = s.xor(y, z);
    let t = s.and(t, x);
    s.xor(t, z)
}

/// `SHAparity(x, y, z) = x EOR y EOR z`.
fn sha_parity<S: Sem>(s: &mut S, x: S::V, y: S::V, z: S::V) -> S::V {
    let t = s.xor(x, y);
    s.xor(t, z)
}

/// `SHAmajority(x, y, z) = (x AND y) OR ((x OR y) AND z)`.
fn sha_majority<S: Sem>(s: &mut S, x: S::V, y: S::V, z: S::V) -> S::V {
    let a = s.and(x, y);
    let o = s.or(x, y);
    let b = s.and(o, z);
    s.or(a, b)
}

/// SHA1C/SHA1P/SHA1M: four rounds on the state `X = V[d]`, `Y = V[n]<31:0>` with schedule words `V[m]`.
fn sha1_hash<S: Sem>(s: &mut S, op: Sha3Reg, rd: Reg, rn: Reg, rm: Reg) -> S::Q {
    let mut x = lanes(s, rd);
    let qn = s.vreg(rn);
    let mut y = s.q_lane(qn, 32, 0);
    let w = lanes(s, rm);
    for we in w {
        let t = match op {
            Sha3Reg::Sha1c => sha_choose(s, x[1], x[2], x[3]),
            Sha3Reg::Sha1p => sha_parity(s, x[1], x[2], x[3]),
            _ => sha_majority(s, x[1], x[2], x[3]),
        };
        let r5 = rol(s, x[0], 5);
        y = add32(s, &[y, r5, t, we]);
        x[1] = rol(s, x[1], 30);
        // <Y, X> = ROL(Y : X, 32)
        let top = x[3];
        x = [y, x[0], x[1], x[2]];
        y = top;
    }
    from_lanes(s, x)
}

/// SHA1SU0: `V[d] = (V[n]<63:0> : V[d]<127:64>) EOR V[d] EOR V[m]`.
fn sha1su0<S: Sem>(s: &mut S, rd: Reg, rn: Reg, rm: Reg) -> S::Q {
    let d = s.vreg(rd);
    let n = s.vreg(rn);
    let m = s.vreg(rm);
    let lo = s.q_hi(d);
    let hi = s.q_lo(n);
    let t = s.q_from(lo, hi);
    let t = s.q_xor(t, d);
    s.q_xor(t, m)
}

/// SHA1SU1: `T = V[d] EOR (V[n] >> 32)`; lanes are `ROL(T[i], 1)`, lane 3 also `EOR ROL(T[0], 2)`.
fn sha1su1<S: Sem>(s: &mut S, rd: Reg, rn: Reg) -> S::Q {
    let x = lanes(s, rd);
    let y = lanes(s, rn);
    let z = s.imm(0);
    let t = [
        s.xor(x[0], y[1]),
        s.xor(x[1], y[2]),
        s.xor(x[2], y[3]),
        s.xor(x[3], z),
    ];
    let w0 = rol(s, t[0], 1);
    let w1 = rol(s, t[1], 1);
    let w2 = rol(s, t[2], 1);
    let w3a = rol(s, t[3], 1);
    let w3b = rol(s, t[0], 2);
    let w3 = s.xor(w3a, w3b);
    from_lanes(s, [w0, w1, w2, w3])
}

/// The ARM ARM's `SHA256hash(X, Y, W, part1)`: four rounds; returns the final `(X, Y)`.
fn sha256_hash<S: Sem>(
    s: &mut S,
    mut x: [S::V; 4],
    mut y: [S::V; 4],
    rm: Reg,
) -> ([S::V; 4], [S::V; 4]) {
    let w = lanes(s, rm);
    for we in w {
        let chs = sha_choose(s, y[0], y[1], y[2]);
        let maj = sha_majority(s, x[0], x[1], x[2]);
        let s1 = big_sigma(s, y[0], 6, 11, 25);
        let t = add32(s, &[y[3], s1, chs, we]);
        x[3] = add32(s, &[t, x[3]]);
        let s0 = big_sigma(s, x[0], 2, 13, 22);
        y[3] = add32(s, &[t, s0, maj]);
        // <Y, X> = ROL(Y : X, 32)
        let (x3, y3) = (x[3], y[3]);
        x = [y3, x[0], x[1], x[2]];
        y = [x3, y[0], y[1], y[2]];
    }
    (x, y)
}

/// `ROR(v, a) EOR ROR(v, b) EOR ROR(v, c)` (SHAhashSIGMA0/1).
fn big_sigma<S: Sem>(s: &mut S, v: S::V, a: u32, b: u32, c: u32) -> S::V {
    let ra = ror(s, v, a);
    let rb = ror(s, v, b);
    let rc = ror(s, v, c);
    let t = s.xor(ra, rb);
    s.xor(t, rc)
}

/// `ROR(v, a) EOR ROR(v, b) EOR LSR(v, c)` (the message-schedule sigmas).
fn small_sigma<S: Sem>(s: &mut S, v: S::V, a: u32, b: u32, c: u32) -> S::V {
    let ra = ror(s, v, a);
    let rb = ror(s, v, b);
    let rc = lsr(s, v, c);
    let t = s.xor(ra, rb);
    s.xor(t, rc)
}

/// SHA256SU0: `T = V[n]<31:0> : V[d]<127:32>`; lane e = σ0(T[e]) + V[d][e].
fn sha256su0<S: Sem>(s: &mut S, rd: Reg, rn: Reg) -> S::Q {
    let d = lanes(s, rd);
    let qn = s.vreg(rn);
    let n0 = s.q_lane(qn, 32, 0);
    let t = [d[1], d[2], d[3], n0];
    let mut r = d;
    for e in 0..4 {
        let sg = small_sigma(s, t[e], 7, 18, 3);
        r[e] = add32(s, &[sg, d[e]]);
    }
    from_lanes(s, r)
}

/// SHA256SU1: `T0 = V[m]<31:0> : V[n]<127:32>`; lanes 0, 1 take σ1 of V[m] lanes 2, 3, lanes 2, 3 of the
/// new lanes 0, 1; each adds V[d][e] + T0[e].
fn sha256su1<S: Sem>(s: &mut S, rd: Reg, rn: Reg, rm: Reg) -> S::Q {
    let d = lanes(s, rd);
    let n = lanes(s, rn);
    let m = lanes(s, rm);
    let t0 = [n[1], n[2], n[3], m[0]];
    let mut r = d;
    for e in 0..4 {
        let src = if e < 2 { m[e + 2] } else { r[e - 2] };
        let sg = small_sigma(s, src, 17, 19, 10);
        r[e] = add32(s, &[sg, d[e], t0[e]]);
    }
    from_lanes(s, r)
}

#[cfg(test)]
mod tests;
