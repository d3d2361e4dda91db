//! The instruction groups under test, one encoding table per ARM ARM class.

mod dp_imm;

use crate::encoding::Group;

pub static GROUPS: &[Group] = &[Group {
    name: "dp_imm",
    encodings: dp_imm::TABLE,
    scratch: 0,
    fp_values: false,
}];

pub fn by_name(name: &str) -> &'static Group {
    GROUPS
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no difftest group {name:?}"))
}
