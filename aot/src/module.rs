//! Assembling lifted functions into one Wasm module: the imports every bundle has (the guest's linear memory and
//! the floating-point helper), a table of the lifted functions, and the `enter` export that calls one of them.

use wasm_encoder::{
    CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction, MemoryType,
    Module, NameMap, NameSection, RefType, TableSection, TableType, TypeSection, ValType,
};

use crate::abi::{EXPORT_ENTER, IMPORT_FP, IMPORT_MEMORY};
use crate::lift::FP_FUNC;

const TY_FP: u32 = 0;
/// Type of every lifted function: `(block: i32) -> i64` (a status, or a packed direct transfer).
pub(crate) const TY_LIFTED: u32 = 1;
const TY_ENTER: u32 = 2;
const TY_NZCV: u32 = 3;

/// The module around `functions` (already lifted bodies, in table order), each named in the name section by
/// the guest address it was lifted from (`entries`): what `ELFRUN_PERFMAP=1` gives perf for the JIT code.
pub fn assemble(functions: Vec<Function>, entries: &[u64]) -> Vec<u8> {
    debug_assert_eq!(functions.len(), entries.len());
    let n = functions.len() as u32;
    let mut types = TypeSection::new();
    types.ty().function(
        [ValType::I32, ValType::I64, ValType::I64, ValType::I64],
        [ValType::I64],
    );
    types.ty().function([ValType::I32], [ValType::I64]);
    types
        .ty()
        .function([ValType::I32, ValType::I32], [ValType::I32]);
    types
        .ty()
        .function([ValType::I32, ValType::I64, ValType::I64], [ValType::I64]);

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
    funcs.function(TY_NZCV); // index nzcv_index(n)

    let mut globals = GlobalSection::new();
    globals.global(
        GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        },
        &ConstExpr::i32_const(0),
    );
    debug_assert_eq!(crate::lift::G_DEPTH, 0);

    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: n as u64,
        maximum: Some(n as u64),
        shared: false,
    });

    let first = crate::lift::FIRST_LIFTED; // after the imported helper
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
    code.function(&enter_function());
    code.function(&nzcv_function());

    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&funcs)
        .section(&tables)
        .section(&globals)
        .section(&exports)
        .section(&elements)
        .section(&code);

    let mut names = NameMap::new();
    names.append(FP_FUNC, IMPORT_FP);
    for (i, pc) in entries.iter().enumerate() {
        names.append(first + i as u32, &format!("guest_{pc:x}"));
    }
    names.append(enter_index, EXPORT_ENTER);
    names.append(nzcv_index(functions.len()), "nzcv");
    let mut name_section = NameSection::new();
    name_section.functions(&names);
    m.section(&name_section);
    m.finish()
}

/// Function index of the `nzcv` helper in a module of `n` lifted functions (after the imported fp helper, the
/// lifted functions and `enter`).
pub fn nzcv_index(n: usize) -> u32 {
    n as u32 + 2
}

/// `nzcv(kind, a, b) -> NZCV`: the flags the lazy representation stands for (see `lift::FlagKind`), computed as
/// the ARM ARM's AddWithCarry / logical-flags rules do ([`nzcv_expr`]).
fn nzcv_function() -> Function {
    let mut f = Function::new([(2, ValType::I64)]);
    for i in nzcv_expr(0, 1, 2, 3, 4) {
        f.instruction(&i);
    }
    f.instruction(&Instruction::End);
    f
}

/// The body of the `nzcv` helper as one expression (a `block` leaving the i64 NZCV): the flags kind in i32 local
/// `kind`, the operands in i64 locals `a`, `b` (changed: the 32-bit kinds mask them), and two i64 scratch
/// locals. Lifted code inlines it where it needs NZCV inside a loop: a call there would make Cranelift reload
/// the memory base before every access of the loop (see `Lift::fp_slow_exits`).
pub(crate) fn nzcv_expr(kind: u32, a: u32, b: u32, r: u32, top: u32) -> Vec<Instruction<'static>> {
    use crate::lift::FlagKind as K;
    use Instruction as I;
    use wasm_encoder::BlockType::Empty;
    let mut out = vec![I::Block(wasm_encoder::BlockType::Result(ValType::I64))];
    let mut emit = |is: &[I<'static>]| out.extend_from_slice(is);
    // Value: already NZCV.
    emit(&[
        I::LocalGet(kind),
        I::I32Eqz,
        I::If(Empty),
        I::LocalGet(a),
        I::Br(1),
        I::End,
    ]);
    // 32-bit kinds: work on the zero-extended low halves, sign bit 31.
    emit(&[
        I::I64Const(63),
        I::LocalSet(top),
        I::LocalGet(kind),
        I::I32Const(K::Sub32 as i32),
        I::I32Eq,
        I::LocalGet(kind),
        I::I32Const(K::Logic32 as i32),
        I::I32Eq,
        I::I32Or,
        I::If(Empty),
        I::LocalGet(a),
        I::I64Const(0xffff_ffff),
        I::I64And,
        I::LocalSet(a),
        I::LocalGet(b),
        I::I64Const(0xffff_ffff),
        I::I64And,
        I::LocalSet(b),
        I::I64Const(31),
        I::LocalSet(top),
        I::End,
    ]);
    // Logic: N, Z of the result; C = V = 0.
    emit(&[
        I::LocalGet(kind),
        I::I32Const(K::Logic64 as i32),
        I::I32GeU,
        I::If(Empty),
        I::LocalGet(a),
        I::LocalGet(top),
        I::I64ShrU,
        I::I64Const(1),
        I::I64And,
        I::I64Const(31),
        I::I64Shl,
        I::LocalGet(a),
        I::I64Eqz,
        I::I64ExtendI32U,
        I::I64Const(30),
        I::I64Shl,
        I::I64Or,
        I::Br(1),
        I::End,
    ]);
    // Sub: r = a - b at the width; N = sign(r), Z = r == 0, C = a >= b (unsigned: no borrow),
    // V = sign((a ^ b) & (a ^ r)).
    emit(&[
        I::LocalGet(a),
        I::LocalGet(b),
        I::I64Sub,
        I::LocalGet(top),
        I::I64Const(31),
        I::I64Eq,
        I::If(wasm_encoder::BlockType::Result(ValType::I64)),
        I::I64Const(0xffff_ffff),
        I::Else,
        I::I64Const(-1),
        I::End,
        I::I64And,
        I::LocalSet(r),
        I::LocalGet(r),
        I::LocalGet(top),
        I::I64ShrU,
        I::I64Const(1),
        I::I64And,
        I::I64Const(31),
        I::I64Shl,
        I::LocalGet(r),
        I::I64Eqz,
        I::I64ExtendI32U,
        I::I64Const(30),
        I::I64Shl,
        I::I64Or,
        I::LocalGet(a),
        I::LocalGet(b),
        I::I64GeU,
        I::I64ExtendI32U,
        I::I64Const(29),
        I::I64Shl,
        I::I64Or,
        I::LocalGet(a),
        I::LocalGet(b),
        I::I64Xor,
        I::LocalGet(a),
        I::LocalGet(r),
        I::I64Xor,
        I::I64And,
        I::LocalGet(top),
        I::I64ShrU,
        I::I64Const(1),
        I::I64And,
        I::I64Const(28),
        I::I64Shl,
        I::I64Or,
        I::End,
    ]);
    out
}

/// `enter(func, block) -> status`: runs table[func](block), following direct transfers between lifted functions
/// (each costs one unit of fuel, so a chain of tail calls still lets signals in) until a status for the runtime.
fn enter_function() -> Function {
    use Instruction as I;
    use wasm_encoder::BlockType::Empty;
    let (func, block, r) = (0, 1, 2);
    let fuel_addr = crate::abi::FUEL_ADDR as u32 as i32;
    let mut f = Function::new([(1, ValType::I64)]);
    for i in [
        I::Loop(Empty),
        I::LocalGet(block),
        I::LocalGet(func),
        I::CallIndirect {
            type_index: TY_LIFTED,
            table_index: 0,
        },
        I::LocalTee(r),
        I::I64Const(0xff),
        I::I64And,
        I::I64Const(crate::lift::DIRECT),
        I::I64Ne,
        I::If(Empty),
        I::LocalGet(r),
        I::I32WrapI64,
        I::Return,
        I::End,
    ] {
        f.instruction(&i);
    }
    for i in crate::lift::unpack_direct(r, func, block) {
        f.instruction(&i);
    }
    for i in [
        // Fuel: when it runs out, report Budget with the state's pc (already the target's) — the runtime
        // re-enters there.
        I::I32Const(fuel_addr),
        I::I32Const(fuel_addr),
        I::I32Load(crate::lift::memarg(2)),
        I::I32Const(1),
        I::I32Sub,
        I::I32Store(crate::lift::memarg(2)),
        I::I32Const(fuel_addr),
        I::I32Load(crate::lift::memarg(2)),
        I::I32Eqz,
        I::If(Empty),
        I::I32Const(crate::abi::Status::Budget as i32),
        I::Return,
        I::End,
        I::Br(0),
        I::End,
        I::Unreachable,
        I::End,
    ] {
        f.instruction(&i);
    }
    f
}
