// Fatal events and their exit statuses, chosen by the first argument's length... without loads we choose by
// argc instead: argc is at [sp] — not loadable yet — so each case is its own entry symbol, picked with -e.
.global _start, undefined, breakpoint, fetch, selfkill
_start:
undefined:
    .inst 0x00000000
breakpoint:
    brk #7
fetch:
    mov x0, #0x10
    br x0
selfkill:
    // kill(getpid(), SIGTERM) with the default disposition: status 128 + 15
    mov x8, #172
    svc #0
    mov x1, #15
    mov x8, #129
    svc #0
    mov x0, #0
    mov x8, #93
    svc #0
