// A jump table in writable data, dispatched by gcc's switch sequence (rt/tests/aot.rs). Static discovery
// recovers it (targets case0..case3) and the lifted BR dispatches by br_table; halfway through, the program
// rewrites entry 2 to point at `odd`, an address between the recovered targets that is none of them (the middle
// of case2): lifted code must go there, not to a case. exit(sum & 0xff) = 198.
.global _start
_start:
    mov x19, #0
    mov w20, #0
loop:
    and w2, w20, #3
    bl dispatch
    add w20, w20, #1
    cmp w20, #8
    b.ne 1f
    adrp x0, table
    add x0, x0, :lo12:table
    mov w1, #((odd - base) / 4)
    strb w1, [x0, #2]
1:  cmp w20, #16
    b.lo loop
    and x0, x19, #0xff
    mov x8, #93
    svc #0

dispatch:
    cmp w2, #3
    b.ls 2f
    ret
2:  adrp x0, table
    add x0, x0, :lo12:table
    ldrb w0, [x0, w2, uxtw]
    adr x1, base
    add x0, x1, w0, sxtb #2
    br x0
base:
case0:
    add x19, x19, #1
    ret
case1:
    add x19, x19, #3
    ret
case2:
    add x19, x19, #5
odd:
    add x19, x19, #100
    ret
case3:
    add x19, x19, #7
    ret

.data
table:
    .byte (case0 - base) / 4, (case1 - base) / 4, (case2 - base) / 4, (case3 - base) / 4
