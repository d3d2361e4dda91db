//! (Class not implemented yet: decodes nothing.)

use crate::sem::Sem;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vector {}

impl Vector {
    pub fn decode(_word: u32) -> Option<Vector> {
        None
    }

    pub fn exec<S: Sem>(self, _s: &mut S) {
        match self {}
    }
}
