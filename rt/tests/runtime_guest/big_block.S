// One block of 60,000 instructions without a branch: more values than a Wasm function may have locals. The
// lifter lifts what fits and leaves the rest of the block to the interpreter (`MAX_LOCALS` in aot/src/lift).
// Writes the two registers the block computes to stdout.
    .text
    .global _start
_start:
    mov     x1, #3
    mov     x2, #5
    mov     x3, #7
    .rept   30000
    add     x1, x1, x2
    eor     x3, x3, x1, ror #3
    .endr
    ldr     x12, =out
    stp     x1, x3, [x12]
    mov     x0, #1
    mov     x1, x12
    mov     x2, #16
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    .data
out:
    .space  16
