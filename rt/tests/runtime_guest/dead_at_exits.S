// Registers dead where lifted code exits (aot/src/lift/live.rs): fuel runs out at the back edges of two loops,
// and the exit sets the locals of registers written before they are read at the loop's header to constants.
// Loop 1 reads at its header the flags its previous iteration's SUBS set (C, by CSEL on CS and by ADC) and x5,
// written at its end; x4 is written at its header before any read: dead there. Loop 2 compares first (NZCV dead
// at its header) and reads x4 and the flags of loop 1's last SUBS after the loop. Writes the registers and NZCV
// to stdout.
    .text
    .global _start
_start:
    mov     x19, #0
    mov     x6, #0
    mov     x5, #3
    ldr     x1, =300000
    cmp     x1, #0                  // C = 1
1:  csel    x3, x5, xzr, cs         // the previous SUBS's C: 1 (no borrow while x1 >= 1)
    adc     x6, x6, xzr
    lsl     x4, x1, #1
    add     x19, x19, x3
    eor     x19, x19, x4
    ror     x19, x19, #61
    add     x5, x5, #7
    subs    x1, x1, #1
    b.ne    1b

    ldr     x2, =300000
2:  cmp     x2, #5
    csinc   x4, x4, x4, hi
    eor     x20, x19, x2
    add     x19, x20, x19, lsl #7
    sub     x2, x2, #1
    cbnz    x2, 2b

    mrs     x9, nzcv
    ldr     x10, =regs
    stp     x19, x5, [x10]
    stp     x6, x4, [x10, #16]
    str     x9, [x10, #32]
    mov     x0, #1
    mov     x1, x10
    mov     x2, #40
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .data
    .balign 16
regs:
    .space  40
