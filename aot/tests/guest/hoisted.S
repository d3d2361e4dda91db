// Jump-table shapes for aot/tests/discovery.rs beyond gcc's straight-line one: the table's address set before
// the bound check (outside the run that ends at the BR, as when it is hoisted out of a loop), and the bound's
// `b.ls` far from the dispatch (more than a hundred instructions before it). exit(sum) = 5.
.global _start
_start:
    mov x19, #0
    mov w2, #1
    bl hoisted
    mov w2, #2
    bl far
    mov x0, x19
    mov x8, #93
    svc #0

hoisted:
    adrp x3, table
    add x3, x3, :lo12:table
    cmp w2, #3
    b.ls 1f
    ret
1:  ldrb w0, [x3, w2, uxtw]
    adr x1, base
    add x0, x1, w0, sxtb #2
.global hoisted_br
hoisted_br:
    br x0
base:
    add x19, x19, #1
    ret
    add x19, x19, #2
    ret
    add x19, x19, #3
    ret
    add x19, x19, #4
    ret

far:
    cmp w2, #3
    b.ls 2f
    ret
    .rept 150
    nop
    .endr
    ret
2:  adrp x3, table
    add x3, x3, :lo12:table
    ldrb w0, [x3, w2, uxtw]
    adr x1, base
    add x0, x1, w0, sxtb #2
.global far_br
far_br:
    br x0

.section .rodata
table:
    .byte 0, 2, 4, 6
