// A hot loop nest, which a profiled build lifts as a function of its own (aot/src/lib.rs, `outline`): 300
// passes of an outer loop around a one-block inner loop of 8192 iterations (outlined itself, and called from
// the nest's function). The nest's header is not its first block (the code enters it by a jump, and the pass
// counter's block lies above it); a detour block at pass 150 lies below the code after the nest. It has two
// exits: after pass 300 (not reached) and at pass 250, to the later one in address order, whose code then
// goes on after the nest. Fuel runs out inside it. Registers the nest does not touch carry values across it.
// Writes the buffer and the registers to stdout.
//
// With an argument, pass 200 works on address 0x8000, in the unmapped low 64 KiB: SIGSEGV inside the inner
// loop, two outlined functions deep.
    .text
    .global _start
_start:
    ldr     x27, [sp]               // argc
    ldr     x20, =buf
    mov     x21, #0                 // pass
    mov     x19, #0                 // checksum
    mov     x22, #0                 // detours taken
    mov     x23, #7                 // untouched by the nest
    b       head
step:
    add     x21, x21, #1
    cmp     x21, #300
    b.eq    done                    // exit 1
    cmp     x21, #250
    b.eq    late                    // exit 2
head:
    cmp     x21, #200
    b.ne    1f
    cmp     x27, #2
    b.lt    1f
    mov     x20, #0x8000
1:  mov     x0, #0
    add     x1, x21, #0x345
inner:
    ldr     w2, [x20, x0, lsl #2]
    add     w2, w2, w1
    eor     w1, w1, w2, lsl #1
    str     w2, [x20, x0, lsl #2]
    add     x0, x0, #1
    cmp     x0, #8192
    b.ne    inner
    add     x19, x19, x1
    cmp     x21, #150
    b.ne    step
    cbnz    x22, step
    b       detour                  // once

done:
    mrs     x9, nzcv
    ldr     x10, =regs
    stp     x19, x22, [x10]
    stp     x23, x0, [x10, #16]
    stp     x1, x9, [x10, #32]
    mov     x0, #1
    ldr     x1, =buf
    mov     x2, #8192 * 4 + 48
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

detour:
    add     x22, x22, #1
    eor     x19, x19, x23, lsl #7
    add     x21, x21, #1
    b       head

late:
    add     x22, x22, #16
    b       done

    .data
    .balign 16
buf:
    .space  8192 * 4
regs:
    .space  48
