// Address-space semantics through syscalls only (no loads/stores): a pipe fills an anonymous mapping, the
// mapping is written out, unmapped, mapped again at the same place (MAP_FIXED) and written out again: it must
// read zeros. Then mremap must grow it. (MAP_FIXED_NOREPLACE is covered by vm's unit tests: qemu 7.2 treats it
// as a hint and returns another address, unlike Linux >= 4.17, which fails with EEXIST.)
// Exit status: 0, or the number of the failing step.
.global _start
_start:
    // pipe2(fds on the stack)
    sub sp, sp, #16
    add x0, sp, #0
    mov x1, #0
    mov x8, #59
    svc #0
    mov x28, #1
    cbnz x0, fail
    // x19 = mmap(NULL, 8192, RW, PRIVATE|ANON, -1, 0)
    mov x0, #0
    mov x1, #8192
    mov x2, #3
    mov x3, #0x22
    mov x4, #-1
    mov x5, #0
    mov x8, #222
    svc #0
    mov x28, #2
    tbnz x0, #63, fail
    add x19, x0, #0
    // write(fds[1], msg, 6); read(fds[0], x19 + 4090, 6): crosses the page boundary
    mov x0, #0
    mov x8, #0
    // fds[1] is the upper half of the 8 bytes at sp: we cannot load it, but a fresh process gets fds 3 and 4.
    mov x0, #4
    adr x1, msg
    mov x2, #6
    mov x8, #64
    svc #0
    mov x0, #3
    add x1, x19, #4090
    mov x2, #6
    mov x8, #63
    svc #0
    mov x28, #3
    cmp x0, #6
    b.ne fail
    // write(1, x19 + 4088, 10): two zero bytes, "mapped", two zero bytes
    mov x0, #1
    add x1, x19, #4088
    mov x2, #10
    mov x8, #64
    svc #0
    // munmap(x19, 8192); mmap(x19, 8192, RW, PRIVATE|ANON|FIXED) -> x19
    add x0, x19, #0
    mov x1, #8192
    mov x8, #215
    svc #0
    mov x28, #4
    cbnz x0, fail
    add x0, x19, #0
    mov x1, #8192
    mov x2, #3
    mov x3, #0x32
    mov x4, #-1
    mov x5, #0
    mov x8, #222
    svc #0
    mov x28, #5
    tbnz x0, #63, fail
    // write(1, x19 + 4088, 10): all zeros now
    mov x0, #1
    add x1, x19, #4088
    mov x2, #10
    mov x8, #64
    svc #0
    // mremap(x19, 8192, 65536, MREMAP_MAYMOVE) succeeds
    add x0, x19, #0
    mov x1, #8192
    mov x2, #65536
    mov x3, #1
    mov x8, #216
    svc #0
    mov x28, #7
    tbnz x0, #63, fail
    // munmap of an unaligned address fails with -EINVAL (-22)
    add x0, x19, #1
    mov x1, #4096
    mov x8, #215
    svc #0
    mov x28, #8
    cmn x0, #22
    b.ne fail
    mov x28, #0
fail:
    add x0, x28, #0
    mov x8, #94
    svc #0
msg: .ascii "mapped"
