// A hot loop of one block, which a profiled build lifts as a function of its own (aot/src/lib.rs, `outline`):
// 400 passes of 4096 iterations over a buffer, with loads, stores, flags and a running value. Fuel runs out
// inside it (the runtime then enters the loop's own function, which continues in the one around it when the
// loop ends). Registers the loop does not touch carry values across it. Writes the buffer and the registers
// to stdout.
//
// With an argument, pass 400 works on address 0x8000, in the unmapped low 64 KiB: SIGSEGV inside the loop.
    .text
    .global _start
_start:
    ldr     x27, [sp]               // argc
    ldr     x20, =buf
    mov     x21, #0                 // pass
    mov     x19, #0                 // checksum
    mov     x22, #0x5555
    mov     x23, #7
outer:
    cmp     x21, #399
    b.ne    1f
    cmp     x27, #2
    b.lt    1f
    mov     x20, #0x8000
1:  mov     x0, #0
    mov     x1, #0x2345
    add     x1, x1, x21
2:  ldr     w2, [x20, x0, lsl #2]
    eor     w2, w2, w1
    add     w1, w1, w2
    ror     w1, w1, #3
    str     w2, [x20, x0, lsl #2]
    add     x0, x0, #1
    cmp     x0, #4096
    b.ne    2b
    add     x19, x19, x1
    eor     x22, x22, x19, lsl #1
    add     x23, x23, x22
    add     x21, x21, #1
    cmp     x21, #400
    b.ne    outer

    mrs     x9, nzcv
    ldr     x10, =regs
    stp     x19, x22, [x10]
    stp     x23, x0, [x10, #16]
    stp     x1, x9, [x10, #32]
    mov     x0, #1
    ldr     x1, =buf
    mov     x2, #4096 * 4 + 48
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .data
    .balign 16
buf:
    .space  4096 * 4
regs:
    .space  48
