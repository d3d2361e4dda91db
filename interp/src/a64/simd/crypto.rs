//! (Class not implemented yet: decodes nothing.)

use crate::sem::Sem;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crypto {}

impl Crypto {
    pub fn decode(_word: u32) -> Option<Crypto> {
        None
    }

    pub fn exec<S: Sem>(self, _s: &mut S) {
        match self {}
    }
}
