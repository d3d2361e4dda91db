// Register traffic around calls between lifted functions (aot/src/lift/mod.rs, `Summary`): a call site stores
// only the registers the callee may read (with everything it calls) and reloads only those it may write. Each
// case below breaks if one of those sets is too small:
// - `main` keeps values in x19-x23, v8 and the flags across calls that never touch them, while a callee makes a
//   syscall (an exit with `main`'s values still unstored) and loops long enough for budget exits;
// - `outer` calls `inner`, which reads x11 and the flags `main` set before calling `outer` (spill through two
//   levels) and writes x10, v5 and the flags, which `main` reads after `outer` returns (reload through two
//   levels);
// - `fact` is recursive (the sets of a call cycle);
// - `writer` is a function of its own (`main` calls it) that `hop` continues in by a tail call (`b`): the
//   call site's loop follows the transfer.
// Writes "ok\n" from inside `inner`; the exit status is a checksum of everything.
    .text
    .global _start
_start:
    mov     x19, #7
    mov     x20, #11
    mov     x21, #0
    mov     x22, #3
    movi    v8.2d, #0
    mov     x23, #0
    mov     x24, #40                // rounds
round:
    add     x19, x19, x24
    eor     x20, x20, x19, lsl #3
    fmov    d8, x19
    mov     x11, x24                // read by `inner` two calls down
    cmp     x24, #20                // flags read by `inner`
    bl      outer
    // x10, v5 and the flags come from `inner`.
    cset    x12, hi
    add     x21, x21, x10
    add     x21, x21, x12
    fmov    x13, d5
    add     x21, x21, x13
    // Values `main` kept across the call.
    fmov    x14, d8
    add     x21, x21, x14
    add     x21, x21, x20
    mov     x0, x24
    bl      fact
    add     x22, x22, x0
    mov     x0, x19
    bl      hop
    add     x23, x23, x0
    bl      writer                  // also called: its own function, so `hop` continues in another one
    eor     x23, x23, x0
    subs    x24, x24, #1
    b.ne    round
    eor     x0, x21, x22
    eor     x0, x0, x23
    add     x0, x0, x19
    and     x0, x0, #0xff
    mov     x8, #93                 // exit
    svc     #0

outer:
    stp     x29, x30, [sp, #-16]!
    bl      inner
    ldp     x29, x30, [sp], #16
    ret

inner:
    // Flags from `main`: x11 > 20 or not.
    mov     x10, #100
    b.gt    1f
    mov     x10, #200
1:  add     x10, x10, x11
    // A loop long enough for budget exits inside this callee.
    mov     x9, #0
    mov     x15, #8000
2:  add     x10, x10, x9, lsr #4
    add     x9, x9, #1
    cmp     x9, x15
    b.ne    2b
    fmov    d5, x10
    cmp     x11, #7                 // flags `main` reads: hi if x11 > 7
    cbnz    x11, 3f
    ret
3:  // A syscall inside a nested call, when x11 is 13.
    cmp     x11, #13
    b.ne    4f
    mov     x0, #1
    adr     x1, msg
    mov     x2, #3
    mov     x8, #64                 // write
    svc     #0
4:  cmp     x11, #7
    ret

fact:
    cmp     x0, #1
    b.ls    1f
    stp     x0, x30, [sp, #-16]!
    sub     x0, x0, #1
    bl      fact
    ldp     x1, x30, [sp], #16
    mul     x0, x0, x1
1:  ret

hop:
    add     x0, x0, #5
    b       writer

writer:
    lsl     x0, x0, #1
    ret

    .data
msg:
    .ascii  "ok\n"
