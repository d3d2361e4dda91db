//! Assembling lifted functions into one Wasm module: the imports every bundle has (the guest's linear memory and
//! the floating-point helper), a table of the lifted functions, and the `enter` export that calls one of them.

use wasm_encoder::{
    CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, ImportSection, Instruction, MemoryType, Module, RefType,
    TableSection, TableType, TypeSection, ValType,
};

use crate::abi::{EXPORT_ENTER, IMPORT_FP, IMPORT_MEMORY};
use crate::lift::FP_FUNC;

const TY_FP: u32 = 0;
const TY_LIFTED: u32 = 1;
const TY_ENTER: u32 = 2;

/// The module around `functions` (already lifted bodies, in table order).
pub fn assemble(functions: Vec<Function>) -> Vec<u8> {
    let n = functions.len() as u32;
    let mut types = TypeSection::new();
    types.ty().function(
        [ValType::I32, ValType::I64, ValType::I64, ValType::I64],
        [ValType::I64],
    );
    types.ty().function([ValType::I32], [ValType::I32]);
    types
        .ty()
        .function([ValType::I32, ValType::I32], [ValType::I32]);

    let mut imports = ImportSection::new();
    imports.import("env", IMPORT_FP, EntityType::Function(TY_FP));
    imports.import(
        "env",
        IMPORT_MEMORY,
        EntityType::Memory(MemoryType {
            minimum: 1,
            maximum: Some(65536),
            memory64: false,
            shared: true,
            page_size_log2: None,
        }),
    );
    debug_assert_eq!(FP_FUNC, 0);

    let mut funcs = FunctionSection::new();
    for _ in 0..n {
        funcs.function(TY_LIFTED);
    }
    funcs.function(TY_ENTER);

    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: n as u64,
        maximum: Some(n as u64),
        shared: false,
    });

    let first = 1; // after the imported helper
    let enter_index = first + n;
    let mut exports = ExportSection::new();
    exports.export(EXPORT_ENTER, ExportKind::Func, enter_index);

    let mut elements = ElementSection::new();
    let indices: Vec<u32> = (first..first + n).collect();
    elements.active(
        Some(0),
        &ConstExpr::i32_const(0),
        Elements::Functions(indices.into()),
    );

    let mut code = CodeSection::new();
    for f in &functions {
        code.function(f);
    }
    // enter(func, block) = table[func](block)
    let mut enter = Function::new([]);
    enter
        .instruction(&Instruction::LocalGet(1))
        .instruction(&Instruction::LocalGet(0))
        .instruction(&Instruction::CallIndirect {
            type_index: TY_LIFTED,
            table_index: 0,
        })
        .instruction(&Instruction::End);
    code.function(&enter);

    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&funcs)
        .section(&tables)
        .section(&exports)
        .section(&elements)
        .section(&code);
    m.finish()
}
