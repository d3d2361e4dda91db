// A hot loop of one block that the code before it falls into, running a few iterations per entry, which a
// profiled build peels (aot/src/lib.rs, `peel`): copies of its block run first, then the loop itself for the
// iterations left. 1200 passes: the trip count is mostly 4 (what the copies cover), 1 every 7th pass (the first
// copy leaves the loop), 11 every 11th (the loop itself runs after the copies). The body reads a table through
// a pointer set before the loop (a constant in the copies), reads and writes a buffer through a register
// stride, and sets flags that are read after the loop (its branch is a CBNZ). Writes the buffer and the
// registers to stdout.
//
// With an argument, pass 600's stride takes its second iteration (in the second copy) to address 0x8000, in
// the unmapped low 64 KiB: SIGSEGV.
    .text
    .global _start
_start:
    ldr     x27, [sp]               // argc
    ldr     x20, =buf
    mov     x21, #0                 // pass
    mov     x19, #0                 // checksum
    mov     x22, #0x5555
outer:
    mov     x25, #4                 // stride
    cmp     x21, #600
    b.ne    1f
    cmp     x27, #2
    b.lt    1f
    mov     x9, #0x8000
    sub     x25, x9, x20
1:  mov     x7, #4                  // trip count
    mov     x9, #7
    udiv    x10, x21, x9
    msub    x10, x10, x9, x21
    cbnz    x10, 2f
    mov     x7, #1
2:  mov     x9, #11
    udiv    x10, x21, x9
    msub    x10, x10, x9, x21
    cbnz    x10, 3f
    mov     x7, #11
3:  adrp    x3, table
    add     x3, x3, :lo12:table
    mov     x4, x20
    mov     w0, #0
    mov     w1, #0x2345
    add     w1, w1, w21
loop:
    ldr     w2, [x3], #4
    ldr     w5, [x4]
    add     w5, w5, w2
    eor     w5, w5, w1
    adds    w1, w1, w5
    ror     w1, w1, #5
    str     w5, [x4]
    add     x4, x4, x25
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
    mov     x2, #64 + 64
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .section .rodata
    .balign 4
table:
    .word   0x9e3779b9, 0x7f4a7c15, 0xf39cc060, 0x5ced1ffb, 0x1b873593, 0xcc9e2d51, 0xe6546b64, 0x85ebca6b
    .word   0xc2b2ae35, 0x27d4eb2f, 0x165667b1, 0xd3a2646c, 0xfd7046c5, 0xb55a4f09, 0x68e31da4, 0x2f8aef13

    .data
    .balign 16
buf:
    .space  64
regs:
    .space  64
