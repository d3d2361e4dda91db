// Runs one patched instruction word with a full register state loaded from g_state and stores the
// resulting state back (x0..x30, sp, nzcv, v0..v31). Used to take reference results from qemu-aarch64.
    .section .patchable,"awx",@progbits
    .p2align 4
    .global run_insn
    .global insn_slot
run_insn:
    adrp x16, save_area
    add x16, x16, :lo12:save_area
    stp x19, x20, [x16, #0]
    stp x21, x22, [x16, #16]
    stp x23, x24, [x16, #32]
    stp x25, x26, [x16, #48]
    stp x27, x28, [x16, #64]
    stp x29, x30, [x16, #80]
    stp d8, d9, [x16, #96]
    stp d10, d11, [x16, #112]
    stp d12, d13, [x16, #128]
    stp d14, d15, [x16, #144]
    mov x17, sp
    str x17, [x16, #160]
    mrs x17, tpidr_el0
    str x17, [x16, #168]
    adrp x16, g_state
    add x16, x16, :lo12:g_state
    ldr x17, [x16, #248]
    mov sp, x17
    ldr x17, [x16, #256]
    msr nzcv, x17
    ldr q0, [x16, #272]
    ldr q1, [x16, #288]
    ldr q2, [x16, #304]
    ldr q3, [x16, #320]
    ldr q4, [x16, #336]
    ldr q5, [x16, #352]
    ldr q6, [x16, #368]
    ldr q7, [x16, #384]
    ldr q8, [x16, #400]
    ldr q9, [x16, #416]
    ldr q10, [x16, #432]
    ldr q11, [x16, #448]
    ldr q12, [x16, #464]
    ldr q13, [x16, #480]
    ldr q14, [x16, #496]
    ldr q15, [x16, #512]
    ldr q16, [x16, #528]
    ldr q17, [x16, #544]
    ldr q18, [x16, #560]
    ldr q19, [x16, #576]
    ldr q20, [x16, #592]
    ldr q21, [x16, #608]
    ldr q22, [x16, #624]
    ldr q23, [x16, #640]
    ldr q24, [x16, #656]
    ldr q25, [x16, #672]
    ldr q26, [x16, #688]
    ldr q27, [x16, #704]
    ldr q28, [x16, #720]
    ldr q29, [x16, #736]
    ldr q30, [x16, #752]
    ldr q31, [x16, #768]
    ldp x0, x1, [x16, #0]
    ldp x2, x3, [x16, #16]
    ldp x4, x5, [x16, #32]
    ldp x6, x7, [x16, #48]
    ldp x8, x9, [x16, #64]
    ldp x10, x11, [x16, #80]
    ldp x12, x13, [x16, #96]
    ldp x14, x15, [x16, #112]
    ldr x17, [x16, #136]
    ldp x18, x19, [x16, #144]
    ldp x20, x21, [x16, #160]
    ldp x22, x23, [x16, #176]
    ldp x24, x25, [x16, #192]
    ldp x26, x27, [x16, #208]
    ldp x28, x29, [x16, #224]
    ldr x30, [x16, #240]
    ldr x16, [x16, #128]
insn_slot:
    nop
    msr tpidr_el0, x16
    adrp x16, g_state
    add x16, x16, :lo12:g_state
    stp x0, x1, [x16, #0]
    stp x2, x3, [x16, #16]
    stp x4, x5, [x16, #32]
    stp x6, x7, [x16, #48]
    stp x8, x9, [x16, #64]
    stp x10, x11, [x16, #80]
    stp x12, x13, [x16, #96]
    stp x14, x15, [x16, #112]
    str x17, [x16, #136]
    stp x18, x19, [x16, #144]
    stp x20, x21, [x16, #160]
    stp x22, x23, [x16, #176]
    stp x24, x25, [x16, #192]
    stp x26, x27, [x16, #208]
    stp x28, x29, [x16, #224]
    str x30, [x16, #240]
    mrs x17, tpidr_el0
    str x17, [x16, #128]
    mov x17, sp
    str x17, [x16, #248]
    mrs x17, nzcv
    str x17, [x16, #256]
    str q0, [x16, #272]
    str q1, [x16, #288]
    str q2, [x16, #304]
    str q3, [x16, #320]
    str q4, [x16, #336]
    str q5, [x16, #352]
    str q6, [x16, #368]
    str q7, [x16, #384]
    str q8, [x16, #400]
    str q9, [x16, #416]
    str q10, [x16, #432]
    str q11, [x16, #448]
    str q12, [x16, #464]
    str q13, [x16, #480]
    str q14, [x16, #496]
    str q15, [x16, #512]
    str q16, [x16, #528]
    str q17, [x16, #544]
    str q18, [x16, #560]
    str q19, [x16, #576]
    str q20, [x16, #592]
    str q21, [x16, #608]
    str q22, [x16, #624]
    str q23, [x16, #640]
    str q24, [x16, #656]
    str q25, [x16, #672]
    str q26, [x16, #688]
    str q27, [x16, #704]
    str q28, [x16, #720]
    str q29, [x16, #736]
    str q30, [x16, #752]
    str q31, [x16, #768]
    adrp x16, save_area
    add x16, x16, :lo12:save_area
    ldr x17, [x16, #168]
    msr tpidr_el0, x17
    ldr x17, [x16, #160]
    mov sp, x17
    ldp x19, x20, [x16, #0]
    ldp x21, x22, [x16, #16]
    ldp x23, x24, [x16, #32]
    ldp x25, x26, [x16, #48]
    ldp x27, x28, [x16, #64]
    ldp x29, x30, [x16, #80]
    ldp d8, d9, [x16, #96]
    ldp d10, d11, [x16, #112]
    ldp d12, d13, [x16, #128]
    ldp d14, d15, [x16, #144]
    ret

    .bss
    .p2align 4
save_area:
    .space 176
