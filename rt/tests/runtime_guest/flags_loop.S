// Flags read at the start of a block, inside a loop (aot/src/lift/prims.rs, `cond_lazy`, `nzcv_value`): lifted
// code does not know there which instruction set them, so a condition compares SUBS/CMP operands directly when
// the flag-kind local says so, and otherwise materialises NZCV from the lazy flag locals — inline in a loop
// (a call to the module's `nzcv` helper would be a memory fence there). Every flag-setting kind the lifter
// keeps lazily (SUBS 64/32, ANDS 64/32, and ADDS, which is materialised) reaches conditions that need each
// flag (EQ/NE: Z, HS/LO: C, MI/PL: N, VS/VC: V, HI/LS: C and Z, GE/LT: N and V, GT/LE: all), and an ADC
// reads the carry. The exit status is a checksum of the condition outcomes.
    .text
    .global _start
_start:
    mov     x19, #0                 // checksum
    mov     x20, #0                 // counter
    ldr     x21, =0x9e3779b97f4a7c15
    mov     x22, #1
loop:
    // Pseudo-random operands.
    mul     x22, x22, x21
    add     x22, x22, #0x5bd
    ror     x23, x22, #17
    and     x24, x20, #3
    cmp     x24, #1
    b.lo    k_sub64
    b.eq    k_sub32
    cmp     x24, #2
    b.eq    k_logic64
    tst     x20, #4
    b.ne    k_adds
    ands    w25, w22, w23
    b       use
k_sub64:
    cmp     x22, x23
    b       use
k_sub32:
    cmp     w22, w23
    b       use
k_logic64:
    ands    x25, x22, x23, lsl #7
    b       use
k_adds:
    adds    x25, x22, x23
use:
    // A new block: the flags' kind is known only at run time.
    cset    x0, eq
    cset    x1, hs
    cset    x2, mi
    cset    x3, vs
    cset    x4, hi
    cset    x5, ge
    cset    x6, gt
    adc     x7, x20, xzr
    add     x0, x0, x1, lsl #1
    add     x0, x0, x2, lsl #2
    add     x0, x0, x3, lsl #3
    add     x0, x0, x4, lsl #4
    add     x0, x0, x5, lsl #5
    add     x0, x0, x6, lsl #6
    add     x0, x0, x7, lsl #7
    eor     x19, x0, x19, ror #5
    add     x20, x20, #1
    cmp     x20, #4000
    b.ne    loop
    eor     x0, x19, x19, lsr #32
    eor     x0, x0, x0, lsr #16
    eor     x0, x0, x0, lsr #8
    and     x0, x0, #0xff
    mov     x8, #93                 // exit
    svc     #0
