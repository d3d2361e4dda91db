// write(1, "hello, world\n") then exit(42): only MOV/ADR/SVC.
.global _start
_start:
    mov x0, #1
    adr x1, msg
    mov x2, #13
    mov x8, #64
    svc #0
    mov x0, #42
    mov x8, #93
    svc #0
msg: .ascii "hello, world\n"
