// run_insn(struct state *st, void *code): loads x0-x3, v0-v3, NZCV and FPCR from *st, clears FPSR, calls code
// (one instruction followed by RET), then stores x0-x3, v0-v3, FPSR and NZCV back. Layout: see fpgen.c.
    .text
    .global run_insn
run_insn:
    stp x29, x30, [sp, #-32]!
    str x19, [sp, #16]
    mov x19, x0
    mov x16, x1
    ldr q0, [x19, #48]
    ldr q1, [x19, #64]
    ldr q2, [x19, #80]
    ldr q3, [x19, #96]
    ldr x9, [x19, #32]
    msr fpcr, x9
    msr fpsr, xzr
    ldr x9, [x19, #40]
    msr nzcv, x9
    ldp x0, x1, [x19]
    ldp x2, x3, [x19, #16]
    blr x16
    stp x0, x1, [x19]
    stp x2, x3, [x19, #16]
    str q0, [x19, #48]
    str q1, [x19, #64]
    str q2, [x19, #80]
    str q3, [x19, #96]
    mrs x9, fpsr
    str x9, [x19, #112]
    mrs x9, nzcv
    str x9, [x19, #40]
    msr fpcr, xzr
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret
