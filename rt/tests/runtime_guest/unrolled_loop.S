// A hot loop of one block running many iterations per entry, which a profiled build unrolls (aot/src/lib.rs,
// `unroll`): four copies of its block per back edge, only the last paying fuel. 1200 passes of 1 to 9
// iterations leave the loop from every copy; pass 500 runs 600,000, more than eight times the fuel lifted code
// gets per entry, so the fuel runs out inside the loop. The body reads a table and a pointer through an index
// (the table's address set before the loop: a constant in the copies), reads and writes the words the pointers
// name, and sets flags that are read after the loop (its branch is a CBNZ). Writes the words and the
// registers to stdout.
//
// With an argument, pass 600 first points the third pointer at address 0x8000, in the unmapped low 64 KiB:
// the loop's third iteration (its third copy) dies of SIGSEGV.
    .text
    .global _start
_start:
    ldr     x27, [sp]               // argc
    ldr     x24, =ptrs
    mov     x21, #0                 // pass
    mov     x19, #0                 // checksum
    mov     x22, #0x5555
outer:
    cmp     x21, #600
    b.ne    1f
    cmp     x27, #2
    b.lt    1f
    mov     x9, #0x8000
    str     x9, [x24, #16]
1:  mov     x9, #9
    udiv    x10, x21, x9
    msub    x7, x10, x9, x21
    add     x7, x7, #1              // trip count: 1 + pass % 9
    cmp     x21, #500
    b.ne    2f
    mov     x7, #600000 & 0xffff
    movk    x7, #600000 >> 16, lsl #16
2:  adrp    x3, table
    add     x3, x3, :lo12:table
    mov     w0, #0
    mov     w1, #0x2345
    add     w1, w1, w21
loop:
    and     w9, w0, #7
    ldr     x4, [x24, x9, lsl #3]
    ldr     w2, [x3, x9, lsl #2]
    ldr     w5, [x4]
    add     w5, w5, w2
    eor     w5, w5, w1
    adds    w1, w1, w5
    ror     w1, w1, #5
    str     w5, [x4]
    add     w0, w0, #1
    sub     x7, x7, #1
    cbnz    x7, loop
    cset    x12, cs                 // the last ADDS's carry
    add     x19, x19, x1
    add     x19, x19, x12
    eor     x22, x22, x19, lsl #1
    add     x21, x21, #1
    cmp     x21, #1200
    b.ne    outer

    mrs     x9, nzcv
    ldr     x10, =regs
    stp     x19, x22, [x10]
    stp     x0, x1, [x10, #16]
    stp     x3, x4, [x10, #32]
    stp     x7, x9, [x10, #48]
    mov     x0, #1
    ldr     x1, =buf
    mov     x2, #32 + 64
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .section .rodata
    .balign 4
table:
    .word   0x9e3779b9, 0x7f4a7c15, 0xf39cc060, 0x5ced1ffb, 0x1b873593, 0xcc9e2d51, 0xe6546b64, 0x85ebca6b

    .data
    .balign 16
buf:
    .space  32
regs:
    .space  64
ptrs:
    .quad   buf, buf + 4, buf + 8, buf + 12, buf + 16, buf + 20, buf + 24, buf + 28
