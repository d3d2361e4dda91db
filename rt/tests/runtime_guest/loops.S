// Loop shapes the AOT tier's structured layout (aot/src/lift/mod.rs, loop nodes) must get right, in one
// function: nested loops with a syscall in the outer body (re-entry at a block inside a loop, not its header)
// and enough back edges for budget exits inside the inner loop (re-entry at a nested header); a loop entered in
// its middle by a forward branch (irreducible), taken once each way; and two loops overlapping only partly.
// Writes a '.' every 256 outer iterations; the exit status is a checksum of all the counters.
    .text
    .global _start
_start:
    mov     x19, #0                 // checksum
    mov     x20, #0                 // outer counter
outer:
    mov     x21, #0
inner:
    add     x19, x19, x21
    eor     x19, x19, x19, lsr #7
    add     x21, x21, #1
    cmp     x21, #300
    b.ne    inner
    tst     x20, #255
    b.ne    1f
    mov     x0, #1
    adr     x1, dot
    mov     x2, #1
    mov     x8, #64                 // write
    svc     #0
1:  add     x20, x20, #1
    cmp     x20, #1000              // 300,000 inner back edges: several budget exits inside `inner`
    b.ne    outer

    // A loop entered at `top` or in its middle (`mid`), by the checksum's parity; then the other way round.
    mov     x22, #0
    mov     x23, #0
    tst     x19, #1
    b.ne    mid1
top1:
    add     x23, x23, #3
mid1:
    add     x23, x23, x22
    add     x22, x22, #1
    cmp     x22, #3000
    b.lo    top1
    mov     x22, #0
    tst     x19, #1
    b.eq    mid2
top2:
    add     x23, x23, #5
mid2:
    eor     x23, x23, x22
    add     x22, x22, #1
    cmp     x22, #3000
    b.lo    top2

    // Two loops overlapping only partly: A..(back edge to A) and B..(back edge to B) with A < B < end of A.
    mov     x24, #0
    mov     x25, #0
    mov     x10, #0x20000
loopA:
    add     x24, x24, #1
loopB:
    add     x25, x25, x24
    and     x9, x25, #3
    cbz     x9, 2f
    cmp     x24, #2000
    b.lo    loopA
2:  add     x25, x25, #7
    cmp     x25, x10
    b.lo    loopB

    // `while (x26 > 0 || x27 != 0)` as gcc lays it out: the first test copied before the loop and repeated at
    // its end (`latch`), whose fall-through is the loop's second test (`qtest`). The copy enters the loop at
    // `ptake` or at `qtest` (irreducible as written; the AOT tier enters it at `latch`, aot/src/discover.rs
    // `merge_equal_tails`). Run twice: entered at `ptake`, then at `qtest` (x26 = 0); some 160,000 back edges each.
    mov     x28, #2
    mov     x26, #65536
    mov     x27, #32768
again:
    eor     x25, x25, x28
    cmp     x26, #0
    b.le    qtest
ptake:
    sub     x26, x26, #1
    add     x24, x24, x26
    eor     x24, x24, x24, lsr #5
latch:
    cmp     x26, #0
    b.gt    ptake
qtest:
    cbz     x27, 3f
    sub     x27, x27, #1
    add     x24, x24, x27, lsl #1
    tst     x27, #7
    b.ne    latch
    mov     x26, #2                 // every 8th q: two more p's
    b       latch
3:  mov     x27, #131072
    subs    x28, x28, #1
    b.ne    again

    add     x0, x19, x23
    add     x0, x0, x24
    add     x0, x0, x25
    and     x0, x0, #0xff
    mov     x8, #93                 // exit
    svc     #0

    .section .rodata
dot:
    .ascii  "."
