// CCMP and CCMN, whose flags lifted code keeps lazily (the comparison's operands, or the immediate, chosen by
// the condition: `Sem::select_nzcv`), read every way: CSET in the same block, a B.cond ending it, CSET at the
// next block's start (the flag locals), and MRS NZCV; 64- and 32-bit, register and immediate operands. Every
// condition as CCMP's own, four immediates, every condition read, over six sets of operands. Writes one hash
// per set to stdout, a polynomial one (a multiply-add per value read), which any wrong flag changes.
    .text
    .global _start

.macro same c1, imm, c2
    cmp     x1, x2
    ccmp    x3, x4, #\imm, \c1
    cset    x9, \c2
    madd    x20, x20, x21, x9
.endm

.macro next c1, imm, c2
    cmp     x1, x2
    ccmn    w3, w4, #\imm, \c1
    b       1f
1:  cset    x9, \c2
    madd    x20, x20, x21, x9
.endm

.macro branch c1, imm, c2
    cmp     w1, w2
    ccmp    x3, #3, #\imm, \c1
    b.\c2   1f
    add     x20, x20, #1
1:  mul     x20, x20, x21
.endm

.macro value c1, imm
    cmp     x1, x2
    ccmp    w3, w4, #\imm, \c1
    mrs     x9, nzcv
    madd    x20, x20, x21, x9
    cmp     x2, x1
    ccmn    x3, #7, #\imm, \c1
    mrs     x9, nzcv
    madd    x20, x20, x21, x9
.endm

_start:
    ldr     x22, =operands
    ldr     x23, =out
    mov     x24, #6
    ldr     x21, =0x9e3779b97f4a7c15    // the hash's multiplier
set:
    ldp     x1, x2, [x22], #16
    ldp     x3, x4, [x22], #16
    mov     x20, #0
    .irp c1, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv
    .irp imm, 0, 4, 9, 15
    .irp c2, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le
    same    \c1, \imm, \c2
    next    \c1, \imm, \c2
    branch  \c1, \imm, \c2
    .endr
    value   \c1, \imm
    .endr
    .endr
    str     x20, [x23], #8
    subs    x24, x24, #1
    b.ne    set

    mov     x0, #1
    ldr     x1, =out
    mov     x2, #6 * 8
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .data
    .balign 16
operands:
    .quad   1, 2, 5, 5
    .quad   2, 2, 5, 7
    .quad   3, 2, 0x8000000000000000, 1
    .quad   0x8000000000000000, 1, 7, 5
    .quad   -1, 1, 0, 0
    .quad   0x7fffffffffffffff, -1, -1, 0x7fffffff
out:
    .space  6 * 8
