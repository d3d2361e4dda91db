// Flags left lazy in the state (aot/src/abi.rs, FLAGS_KIND_ADDR): a function that returns right after setting
// the flags hands its caller the comparison, not NZCV. Each leaf below sets them one way — CMP at 64 and 32
// bits, TST at 64 and 32 bits, ADDS (flags as a value) — and returns; the caller reads all four with MRS, C
// with ADC and a condition with CSET, over a grid of edge operands. Every other round a `getpid` system call
// sits between the return and the reads: lifted code leaves for the runtime with the flags still lazy, and
// continues with what the runtime made of them. The 8-byte checksum of every read is written to stdout.
    .text
    .global _start
_start:
    mov     x19, #0                 // checksum
    mov     x24, #0                 // round: operands edges[round & 7], edges[round >> 3]
    ldr     x25, =edges
    ldr     x26, =leaves
round:
    and     x9, x24, #7
    lsr     x10, x24, #3
    ldr     x20, [x25, x9, lsl #3]
    ldr     x21, [x25, x10, lsl #3]
    mov     x27, #0                 // leaf
leaf:
    mov     x0, x20
    mov     x1, x21
    ldr     x9, [x26, x27, lsl #3]
    cmp     x27, #2                 // direct calls for three leaves, through a register for the others
    b.hs    1f
    cbz     x27, 2f
    bl      cmp32
    b       3f
2:  bl      cmp64
    b       3f
1:  blr     x9
3:  tbz     x24, #0, 4f
    mov     x8, #172                // getpid: an exit with the flags as the leaf left them
    svc     #0
4:  mrs     x2, nzcv
    adc     x3, xzr, xzr
    cset    x4, gt
    eor     x19, x2, x19, ror #13
    add     x19, x19, x3
    add     x19, x19, x4, lsl #7
    add     x27, x27, #1
    cmp     x27, #5
    b.ne    leaf
    add     x24, x24, #1
    cmp     x24, #64
    b.ne    round

    ldr     x1, =out
    str     x19, [x1]
    mov     x0, #1
    mov     x2, #8
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

cmp64:
    cmp     x0, x1
    ret
cmp32:
    cmp     w0, w1
    ret
tst64:
    tst     x0, x1
    ret
tst32:
    tst     w0, w1
    ret
adds64:
    adds    x0, x0, x1
    ret

    .data
    .balign 8
edges:
    .quad   0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x8000000000000000, -1, 0x100000001
leaves:
    .quad   cmp64, cmp32, tst64, tst32, adds64
out:
    .quad   0
