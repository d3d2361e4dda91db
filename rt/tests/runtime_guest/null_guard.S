// Guest accesses into the null-pointer guard below 0x10000, where the AOT tier keeps the CPU state while lifted
// code runs (aot/src/abi.rs, STATE_ADDR): without arguments the program only runs a loop and writes "ok";
// with `store` it then stores to 0x8100 (the state's pc slot), with `load` it loads from 0x8000 — both must
// fault (SIGSEGV) as under qemu, in lifted code too, never reaching the state.
    .text
    .global _start
_start:
    ldr     x19, [sp]               // argc
    ldr     x20, [sp, #16]          // argv[1] (if any)
    mov     x2, #2000
1:  subs    x2, x2, #1
    b.ne    1b
    cmp     x19, #2
    b.lt    done
    ldrb    w3, [x20]
    mov     x1, #0x8100
    cmp     w3, #'s'
    b.ne    2f
    str     x2, [x1]                // store
    b       done
2:  sub     x1, x1, #0x100
    ldr     x4, [x1]                // load
done:
    mov     x0, #1
    adr     x1, msg
    mov     x2, #3
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0
msg:
    .ascii  "ok\n"
