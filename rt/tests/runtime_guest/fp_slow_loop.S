// Floating-point slow paths inside a loop (aot/src/lift/fp.rs, `fp_slow`): every FMUL and FADD below has a
// denormal result, which the fast paths decline. In a loop, lifted code leaves for the interpreter there
// instead of calling the helper (a call would make Cranelift reload the memory base before every access of
// the loop); the run records those pcs as AOT misses, and the next build calls the helper at them. The exit
// status folds the sum's bits and FPSR (underflow, inexact) into a byte.
    .text
    .global _start
_start:
    adr     x1, tiny
    ldr     d1, [x1]
    fmov    d2, #0.5
    movi    d0, #0
    msr     fpsr, xzr
    mov     x19, #1000
loop:
    fmul    d3, d1, d2
    fadd    d0, d0, d3
    str     d0, [x1, #8]
    subs    x19, x19, #1
    b.ne    loop
    fmov    x0, d0
    mrs     x2, fpsr
    eor     x0, x0, x0, lsr #32
    eor     x0, x0, x0, lsr #16
    eor     x0, x0, x0, lsr #8
    eor     x0, x0, x2
    and     x0, x0, #0xff
    mov     x8, #93                 // exit
    svc     #0

    .data
    .balign 8
tiny:
    .quad   0x0000000000000003      // a denormal
    .quad   0
