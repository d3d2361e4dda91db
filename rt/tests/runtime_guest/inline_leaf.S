// Calls to tiny leaf functions, which lifted code inlines at the call site (aot/src/lift/mod.rs,
// `inline_leaf`): a qsort-style comparison whose result and flags the caller uses, one that moves SP, a
// floating-point one, two of several blocks that branch forward, one that returns elsewhere (it rewrites
// X30: the inlined RET must follow it), and two called through one BLR, the second reading the caller's
// flags. 1000 rounds; the checksum and the registers go to stdout.
//
// With an argument the comparison is called on address 0x10: SIGSEGV inside the inlined code.
    .text
    .global _start
_start:
    ldr     x27, [sp]               // argc
    ldr     x20, =data
    mov     x21, #0                 // round
    mov     x19, #0                 // checksum
    fmov    d8, #1.0
    fmov    d9, #0.5
1:  and     x22, x21, #7
    add     x0, x20, x22, lsl #2
    add     x1, x20, #12
    cmp     x21, #999
    b.ne    2f
    cmp     x27, #2
    b.lt    2f
    mov     x0, #0x10
2:  bl      compare
    b.hi    3f                      // flags of the comparison
    add     x19, x19, #1
3:  sxtw    x0, w0
    add     x19, x19, x0, lsl #4
    mov     x0, x21
    bl      through_stack
    eor     x19, x19, x1, lsl #1
    fmov    d0, d8
    fmov    d1, d9
    bl      fsum
    fmov    d8, d0
    // Leaves of several blocks that branch only forward: both of cmp_fields' paths run (its second when the
    // low halves are equal), and clamp's three ways to its last block.
    add     x0, x20, x22, lsl #2
    add     x1, x20, #12
    bl      cmp_fields
    add     x19, x19, w0, sxtw #2
    and     x0, x21, #7
    mov     x1, x21
    bl      clamp
    eor     x19, x19, x0, lsl #3
    // Through a function pointer alternating between two leaves: with a profile both are known targets of
    // the BLR and inlined one after the other; the second reads the caller's flags (from `cmp x22, #3`).
    ldr     x9, =leaf_cmp
    ldr     x10, =leaf_flags
    tst     x21, #1
    csel    x9, x9, x10, eq
    cmp     x22, #3
    mov     x0, x22
    blr     x9
    add     x19, x19, x0
    mov     x0, x21
    tbnz    x21, #63, back          // never taken: makes `back` a block static discovery knows
    bl      detour                  // returns to `back`, not here
    mov     x19, #0                 // never runs
back:
    add     x19, x19, x0
    add     x21, x21, #1
    cmp     x21, #1000
    b.ne    1b

    ldr     x10, =out
    fmov    x11, d8
    mrs     x12, nzcv
    stp     x19, x11, [x10]
    stp     x21, x12, [x10, #16]
    mov     x0, #1
    mov     x1, x10
    mov     x2, #32
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

// -1, 0 or 1 as *x0 is below, equal to or above *x1 (unsigned), like a qsort comparison.
compare:
    ldr     w2, [x0]
    ldr     w3, [x1]
    cmp     w2, w3
    cset    w0, hi
    sbc     w0, w0, wzr
    ret

// Compares the low signed halfwords of *x0 and *x1, then, if equal, the high ones (intmix's cmp_value).
cmp_fields:
    ldrsh   w2, [x0]
    ldrsh   w3, [x1]
    cmp     w2, w3
    b.eq    1f
    sub     w0, w2, w3
    ret
1:  ldrsh   w0, [x0, #2]
    ldrsh   w1, [x1, #2]
    sub     w0, w0, w1
    ret

// min(x0, 4) + 1 if x0 <= 4, else 4; plus x1: a conditional and an unconditional branch forward.
clamp:
    cmp     x0, #4
    b.ls    1f
    mov     x0, #4
    b       2f
1:  add     x0, x0, #1
2:  add     x0, x0, x1
    ret

through_stack:
    sub     sp, sp, #16
    str     x0, [sp, #8]
    ldr     x1, [sp, #8]
    add     x1, x1, #3
    add     sp, sp, #16
    ret

leaf_cmp:
    cmp     x0, #5
    cset    x0, lo
    ret

leaf_flags:
    cset    x0, hi                  // the caller's flags
    ret

fsum:
    fadd    d0, d0, d1
    fmul    d0, d0, d1
    ret

detour:
    add     x0, x0, #5
    adr     x30, back
    ret

    .data
    .balign 8
data:
    .word   5, 9, 1, 7, 0x30007, 3, 0xfffe0007, 0
out:
    .space  32
