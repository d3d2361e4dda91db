//! Advanced SIMD and cryptographic instructions (ARM ARM C4.1.95 and neighbours). Split by class:
//! [`vector`] (AdvSIMD vector forms), [`scalar`] (AdvSIMD scalar forms, by-element, three-different) and
//! [`crypto`] (AES, SHA, PMULL-adjacent crypto extensions).

pub mod crypto;
pub mod scalar;
pub mod vector;

use crate::sem::Sem;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simd {
    Vector(vector::Vector),
    Scalar(scalar::Scalar),
    Crypto(crypto::Crypto),
}

impl Simd {
    pub fn decode(w: u32) -> Option<Simd> {
        crypto::Crypto::decode(w)
            .map(Simd::Crypto)
            .or_else(|| vector::Vector::decode(w).map(Simd::Vector))
            .or_else(|| scalar::Scalar::decode(w).map(Simd::Scalar))
    }

    pub fn exec<S: Sem>(self, s: &mut S) {
        match self {
            Simd::Vector(i) => i.exec(s),
            Simd::Scalar(i) => i.exec(s),
            Simd::Crypto(i) => i.exec(s),
        }
    }
}
