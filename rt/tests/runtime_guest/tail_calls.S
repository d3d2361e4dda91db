// Calls through a PLT-like stub and jumps from one function to another's entry, which a profiled build lifts as
// direct Wasm calls (aot/src/lift/mod.rs: `Lift::inline_stub`, `Lift::call_lifted` with `tail`). 3000 passes,
// each
// - calls `twice` through `stub` (`adrp x16; ldr x17, [x16, #slot]; add x16; br x17`, the slot a word in .data),
// - runs `ping`, which with `pong` jumps back and forth x2 = 1..=499 times (B to each other's entry: deeper than
//   MAX_CALL_DEPTH nested Wasm calls, past which the chain continues through the caller's loop),
// - calls `plus_five`, which jumps to `twice` (a tail call of a leaf).
// Writes the checksum and the pass count to stdout.
//
// With an argument, pass 600 points the slot at `bad` (a target the stub's BR never had while profiled), which
// loads from 0x8000, in the unmapped low 64 KiB: SIGSEGV.
    .text
    .global _start
    .type   _start, %function
_start:
    ldr     x27, [sp]               // argc
    mov     x21, #0                 // pass
    mov     x19, #0                 // checksum
outer:
    cmp     x21, #600
    b.ne    1f
    cmp     x27, #2
    b.lt    1f
    adrp    x9, slot
    adr     x10, bad
    str     x10, [x9, :lo12:slot]
1:  add     x0, x19, x21
    mov     x1, x21
    bl      stub                    // x0 = twice(x0, x1)
    eor     x19, x19, x0
    mov     x9, #499
    udiv    x10, x21, x9
    msub    x2, x10, x9, x21
    add     x2, x2, #1
    mov     x0, x19
    bl      ping
    add     x19, x19, x0
    mov     x1, #7
    bl      plus_five
    eor     x19, x19, x0, ror #7
    add     x21, x21, #1
    cmp     x21, #3000
    b.ne    outer

    ldr     x1, =out
    stp     x19, x21, [x1]
    mov     x0, #1
    mov     x2, #16
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .type   stub, %function
stub:
    adrp    x16, slot
    ldr     x17, [x16, :lo12:slot]
    add     x16, x16, :lo12:slot
    br      x17

    .type   twice, %function
twice:                              // (x0 * 3 + x1) ^ (x0 >> 5)
    add     x2, x0, x0, lsl #1
    add     x2, x2, x1
    eor     x0, x2, x0, lsr #5
    ret

    .type   ping, %function
ping:
    eor     x0, x0, x2, lsl #3
    subs    x2, x2, #1
    b.eq    1f
    b       pong
1:  ret

    .type   pong, %function
pong:
    add     x0, x0, x2
    ror     x0, x0, #3
    b       ping

    .type   plus_five, %function
plus_five:
    add     x0, x0, #5
    b       twice

    .type   bad, %function
bad:
    mov     x9, #0x8000
    ldr     x0, [x9]
    ret

    .data
    .balign 8
slot:
    .quad   twice
out:
    .space  16
