// A hot innermost loop of several blocks (16 instructions), which a profiled build lifts four times per back
// edge (aot/src/lib.rs, `unroll`): each copy runs the iterations after the one before branches back to the
// header, and only the last one's branches back pay fuel. 1000 passes of 1 to 11 iterations; odd and even
// iterations take different blocks; every 64th iteration (the first of each pass) makes a system call
// (`sched_yield`) inside the loop, after which the runtime enters the loop's middle (the first copy, through
// the loop's dispatch); every 5th pass leaves the loop from its middle at its third iteration; pass 700 runs
// 300,000 iterations, so fuel runs out inside. Writes the words and the registers to stdout.
//
// With an argument, pass 600 first points the second pointer at address 0x8000, in the unmapped low 64 KiB:
// the loop's second iteration (in the second copy) dies of SIGSEGV.
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
    str     x9, [x24, #8]
1:  mov     x9, #11
    udiv    x12, x21, x9
    msub    x7, x12, x9, x21
    add     x7, x7, #1              // trip count: 1 + pass % 11
    cmp     x21, #700
    b.ne    2f
    mov     x7, #300000 & 0xffff
    movk    x7, #300000 >> 16, lsl #16
2:  mov     x9, #5
    udiv    x12, x21, x9
    msub    x13, x12, x9, x21
    cmp     x13, #0
    mov     w13, #0xffff
    mov     w9, #2
    csel    w13, w9, w13, eq        // 2 every 5th pass (leave at the third iteration), else never
    mov     x8, #124                // sched_yield, for the system call inside the loop
    mov     w20, #0
    mov     w1, #0x2345
    add     w1, w1, w21
loop:
    and     w9, w20, #7
    ldr     x4, [x24, x9, lsl #3]
    ldr     w5, [x4]
    tbz     w20, #0, even
    eor     w5, w5, w1
    b       latch
even:
    adds    w1, w1, w5, lsl #7
    cmp     w20, w13
    b.eq    done
    tst     w20, #63
    b.ne    latch
    svc     #0
latch:
    str     w5, [x4]
    add     w20, w20, #1
    sub     x7, x7, #1
    cbnz    x7, loop
done:
    cset    x12, cs
    add     x19, x19, x1
    add     x19, x19, x12
    eor     x22, x22, x19, lsl #1
    add     x21, x21, #1
    cmp     x21, #1000
    b.ne    outer

    mrs     x9, nzcv
    ldr     x11, =regs
    stp     x19, x22, [x11]
    stp     x20, x1, [x11, #16]
    stp     x13, x4, [x11, #32]
    stp     x7, x9, [x11, #48]
    mov     x0, #1
    ldr     x1, =buf
    mov     x2, #32 + 64
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .data
    .balign 16
buf:
    .space  32
regs:
    .space  64
ptrs:
    .quad   buf, buf + 4, buf + 8, buf + 12, buf + 16, buf + 20, buf + 24, buf + 28
