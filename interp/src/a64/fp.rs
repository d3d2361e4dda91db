//! (Class not implemented yet: every word decodes as undefined.)

use crate::sem::Sem;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fp {}

impl Fp {
    pub fn decode(_word: u32) -> Option<Fp> {
        None
    }

    pub fn exec<S: Sem>(self, _s: &mut S) {
        match self {}
    }
}
