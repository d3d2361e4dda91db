// Stores STORE below the stack pointer, then exit(5 + STEP). Built with different STEP and STORE, so a bundle
// lifted from one copy can be run against another (rt/tests/aot.rs: `--lockstep` must notice that the lifted code
// is not the program's, whether registers or only memory differ).
.global _start
_start:
    mov x1, #STORE
    str x1, [sp, #-16]
    mov x1, #0
    mov x0, #5
    add x0, x0, #STEP
    mov x8, #93
    svc #0
