// FCMP and FCMPE, whose conditions lifted code answers by one comparison of the two floats (aot/src/lift/fp.rs
// `fcmp_cond`; the helper's NZCV becomes stand-in floats on its path), read every way: CSET and FCSEL in the
// same block, a B.cond ending it, CSET at the next block's start (the flag locals), MRS NZCV and FPSR; double and
// single, register and #0.0 operands. Over operand pairs that are less, equal, greater, ±0, infinite, denormal
// and NaN (quiet and signalling), in three passes: FPSR clear (the fast mode's local clear, FPCR read), FPSR.IXC
// set (the local set), and FPCR.FZ set (every comparison through the helper, denormals flushed). No loops: a
// declined fast path inside a loop would leave for the interpreter. Writes one hash per pass to stdout, a
// polynomial one (a multiply-add per value read), which any wrong flag changes.
    .text
    .global _start

.macro reads op
    .irp c, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le
    \op
    cset    x9, \c
    madd    x20, x20, x21, x9
    \op
    b.\c    1f
    add     x20, x20, #1
1:  mul     x20, x20, x21
    \op
    fcsel   d9, d10, d11, \c
    fmov    x9, d9
    madd    x20, x20, x21, x9
    \op
    b       2f
2:  cset    x9, \c
    madd    x20, x20, x21, x9
    .endr
    \op
    mrs     x9, nzcv
    madd    x20, x20, x21, x9
    mrs     x9, fpsr
    madd    x20, x20, x21, x9
.endm

// Every read of d1 against d2 and against zero.
check_d:
    reads   "fcmp d1, d2"
    reads   "fcmpe d1, d2"
    reads   "fcmp d1, #0.0"
    reads   "fcmpe d2, #0.0"
    ret

check_s:
    reads   "fcmp s1, s2"
    reads   "fcmpe s1, s2"
    reads   "fcmp s1, #0.0"
    reads   "fcmpe s2, #0.0"
    ret

// One pass over every operand pair (x22: the pairs), with FPSR reset to x23 before each.
pass:
    mov     x25, x30
    ldr     x22, =doubles
    .rept   11
    msr     fpsr, x23
    ldp     d1, d2, [x22], #16
    bl      check_d
    .endr
    ldr     x22, =singles
    .rept   11
    msr     fpsr, x23
    ldp     s1, s2, [x22], #8
    bl      check_s
    .endr
    str     x20, [x24], #8
    ret     x25

_start:
    ldr     x21, =0x9e3779b97f4a7c15    // the hash's multiplier
    ldr     x24, =out
    fmov    d10, #1.0
    fmov    d11, #-2.0
    mov     x20, #0
    mov     x23, #0
    bl      pass
    mov     x23, #0x10                  // FPSR.IXC
    bl      pass
    mov     x9, #0x1000000              // FPCR.FZ
    msr     fpcr, x9
    bl      pass

    mov     x0, #1
    ldr     x1, =out
    mov     x2, #3 * 8
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .data
    .balign 16
doubles:
    .double 1.0, 2.0
    .double 2.0, 2.0
    .double 3.0, 2.0
    .double -0.0, 0.0
    .double -1.5, -0.0
    .quad   0x7ff8000000000000, 0x3ff0000000000000     // quiet NaN, 1.0
    .quad   0x3ff0000000000000, 0x7ff0000000000001     // 1.0, signalling NaN
    .quad   0x0000000000000001, 0x0000000000000000     // smallest denormal, +0
    .quad   0xfff0000000000000, 0x800fffffffffffff     // -inf, negative denormal
    .quad   0x7ff0000000000000, 0x7ff0000000000000     // inf, inf
    .quad   0x800fffffffffffff, 0x000fffffffffffff     // denormals of opposite signs
singles:
    .float  1.0, 2.0
    .float  2.0, 2.0
    .float  3.0, 2.0
    .float  -0.0, 0.0
    .float  -1.5, -0.0
    .word   0x7fc00000, 0x3f800000     // quiet NaN, 1.0
    .word   0x3f800000, 0x7f800001     // 1.0, signalling NaN
    .word   0x00000001, 0x00000000     // smallest denormal, +0
    .word   0xff800000, 0x807fffff     // -inf, negative denormal
    .word   0x7f800000, 0x7f800000     // inf, inf
    .word   0x807fffff, 0x007fffff     // denormals of opposite signs
out:
    .space  3 * 8
