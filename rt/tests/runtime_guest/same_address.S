// Accesses to one address within a block (aot/src/lift: `Lift::pure`, `checked`): lifted code reuses
// register values, address arithmetic and bounds checks computed earlier in the block, so a load and a store of
// the same address check it once. What must still be checked: a wider access of a checked address, an address
// whose register was written in between (writeback, a move, a load into it), and anything after a call.
// Without arguments the program only makes valid accesses and exits with a checksum; with one (argc > 1) it
// then makes the same address invalid in three ways and must die of SIGSEGV at the first (exit status 139).
// With two (argc > 2) it reads the top of the stack area, then 32 bytes past 4 GiB through the same base
// register: the window one check covers (`CHECK_WINDOW`) must not reach past the end of guest memory, where a
// 32-bit Wasm address would wrap to low memory instead of faulting; it must die of SIGSEGV too.
    .text
    .global _start
_start:
    ldr     x24, [sp]               // argc
    adr     x9, buf
    mov     x19, #0                 // checksum
    mov     x20, #0                 // counter
    mov     x21, #-8                // a negative index (sxtw)
loop:
    and     x10, x20, #31
    // Read-modify-write of one address, narrow then wide (the wide one needs its own check).
    ldrb    w1, [x9, x10]
    add     w1, w1, #3
    strb    w1, [x9, x10]
    ldr     x2, [x9, x10]
    add     x2, x2, x20
    str     x2, [x9, x10]
    // Post-index writeback: the second access goes to the new address.
    add     x11, x9, #64
    ldr     x3, [x11], #8
    str     x3, [x11]
    ldr     x4, [x11, #-8]
    add     x3, x3, x4
    // A register reloaded from memory between two accesses through it.
    add     x12, x9, #128
    str     x12, [x9, #128]
    ldr     x12, [x12]              // x12 = itself
    ldr     x5, [x12, #8]
    add     x5, x5, #1
    str     x5, [x12, #8]
    // Register offsets: sxtw of a negative index, uxtw, lsl.
    add     x13, x9, #200
    ldr     x6, [x13, w21, sxtw]
    add     x6, x6, x3
    str     x6, [x13, w21, sxtw]
    lsr     x14, x10, #2
    ldr     w7, [x9, w14, uxtw #2]
    eor     w7, w7, w20
    str     w7, [x9, w14, uxtw #2]
    ldr     x15, [x9, x14, lsl #3]
    add     x19, x19, x15
    eor     x19, x19, x2, ror #7
    add     x19, x19, x5
    // A call between two accesses of one address (the callee changes the register).
    add     x16, x9, #256
    ldr     x17, [x16]
    bl      bump
    ldr     x18, [x16]
    add     x19, x19, x18
    add     x19, x19, x17
    add     x20, x20, #1
    cmp     x20, #3000
    b.ne    loop
    cmp     x24, #1
    b.eq    done
    cmp     x24, #2
    b.ne    window
    // Invalid after a check: the register is rewritten (a move from a null pointer), so the access is checked
    // again and faults.
    ldrb    w1, [x9]
    mov     x9, #0x10
    ldrb    w1, [x9]
    add     x19, x19, x1
    b       done
window:
    mov     x9, #0xfff0
    movk    x9, #0xffff, lsl #16    // 4 GiB - 16
    mov     x10, #-0x10000
    ldr     x1, [x9, x10]           // 0xfffefff0: the stack's top page (elfrun), unmapped under qemu
    ldr     x2, [x9, #32]           // 4 GiB + 16: outside guest memory
    add     x19, x19, x1
    add     x19, x19, x2
done:
    eor     x0, x19, x19, lsr #32
    eor     x0, x0, x0, lsr #16
    eor     x0, x0, x0, lsr #8
    and     x0, x0, #0xff
    mov     x8, #93                 // exit
    svc     #0

// x16 += 8 (inside buf), and adds to the word there.
bump:
    add     x16, x16, #8
    ldr     x1, [x16]
    add     x1, x1, #5
    str     x1, [x16]
    ret

    .data
    .balign 16
buf:
    .fill   512, 1, 0x5a
