// Float loops that lifted code also runs as SIMD128 vectors (aot/src/lift/vector.rs), checked against qemu:
// an MLP-style f32 multiply-add with a remainder for the scalar loop, a daxpy-style f64 loop with a 32-bit
// compare that the vectors run to its end, a loop mixing FMUL/FNMADD/FMSUB/FSUB/FADD with a load after a store
// through the same base and a register limit, a loop whose store and load bases are 4 bytes apart (a true
// dependence: it must stay scalar), an f32 loop without fused operations, compared `cmp limit, index`, and
// two loops of guest SIMD float operations (4S and 2D, by element too, walking post-indexed pointers), which
// lifted code runs as groups of four iterations of whole vectors, and each operation as one Wasm vector
// operation when the groups cannot, when every result lane is exact; dot products (4S products summed lane by
// lane as scalars, in order) and an in-place 4S difference, both at base + index. After each loop the V registers, the index and NZCV are saved; at the end
// the arrays and the saved registers (with FPSR) are written to stdout.
//
// The two SIMD loops run again over arrays whose lanes give exact zeros (zero factors and accumulators, x - x,
// ±0), which the whole-vector fast paths take too. With the argument `special`, one product underflows and one multiply-add is invalid (∞ − ∞): the groups
// holding them are left to the scalar loop, whose slow paths set UFC and IOC and give the default NaN; a SIMD
// product underflows to a zero (UFC: not a zero the fast path may take); and the
// two SIMD loops run again with FPSR.IXC clear and rounding toward zero, where the whole-vector fast paths
// must not be taken. With `fault`, the first loop reads through a base that runs past the
// 4 GiB end of guest memory: SIGSEGV at the element that crosses it; with `vfault` loop 7 does.
    .text
    .global _start
_start:
    ldr     x27, [sp]               // argc
    mov     x10, #0x10              // FPSR.IXC: the fast mode the vector loops need
    msr     fpsr, x10
    ldr     x20, =fa
    ldr     x21, =fb
    ldr     x22, =da
    ldr     x23, =db
    ldr     x28, =regs
    // fa[i] = v(i), fb[i] = v(i + 5), da[i] = v(i + 2), db[i] = v(i + 9): v(k) = (k * 7 % 13 - 6) * 0.375 + 1
    mov     x0, #0
fill:
    mov     x1, x0
    bl      value
    fcvt    s1, d0
    str     s1, [x20, x0, lsl #2]
    add     x1, x0, #5
    bl      value
    fcvt    s1, d0
    str     s1, [x21, x0, lsl #2]
    add     x1, x0, #2
    bl      value
    str     d0, [x22, x0, lsl #3]
    add     x1, x0, #9
    bl      value
    str     d0, [x23, x0, lsl #3]
    add     x0, x0, #1
    cmp     x0, #200
    b.ne    fill

    cmp     x27, #2
    b.lt    loops
    ldr     x1, [sp, #16]           // argv[1]
    ldrb    w1, [x1]
    cmp     w1, #'f'
    b.eq    fault
    cmp     w1, #'v'
    b.eq    vfault
    // special: fa[37] = 2e-38 with fb[37] = 0 (the product underflows: UFC), da[20] = db[20] = infinity
    // (-0.7 * inf + inf: the default NaN and IOC)
    ldr     w1, =0x00d9c4a8
    str     w1, [x20, #37 * 4]
    // fa[9] = fb[9] = 1e-30: loop 7's FMUL of them underflows to a zero (UFC), which is no exact zero
    ldr     w1, =0x0da24260
    str     w1, [x20, #9 * 4]
    str     w1, [x21, #9 * 4]
    str     wzr, [x21, #37 * 4]
    mov     x1, #0x7ff0000000000000
    str     x1, [x22, #20 * 8]
    str     x1, [x23, #20 * 8]
    // sa[5] = sa[6] = 1.5e19: loop 11's sa·sa sums two products of 2.25e38 (finite), which overflows (OFC)
    ldr     x1, =sa
    ldr     w2, =0x5f502ab5
    str     w2, [x1, #5 * 4]
    str     w2, [x1, #6 * 4]

loops:
    // 1. fb[j] += fa[j] * 0.3f, j < 67 (f32; 64 in vectors, 3 in the scalar loop)
    mov     x1, x21
    mov     x3, x20
    ldr     s2, c_f
    mov     x0, #0
1:  ldr     s1, [x3, x0]
    ldr     s0, [x1, x0]
    fmadd   s0, s1, s2, s0
    str     s0, [x1, x0]
    add     x0, x0, #4
    cmp     x0, #67 * 4
    b.ne    1b
    bl      save

    // 2. db[i] += -0.7 * da[i], 3 <= i < 67 (f64, 64 iterations: the vectors reach the end)
    mov     x1, x23
    mov     x2, x22
    ldr     d3, c_d
    mov     x0, #3
2:  ldr     d2, [x2, x0, lsl #3]
    ldr     d1, [x1, x0, lsl #3]
    fmadd   d1, d3, d2, d1
    str     d1, [x1, x0, lsl #3]
    add     x0, x0, #1
    cmp     w0, #67
    b.ne    2b
    bl      save

    // 3. f64 mix up to a register limit, a load after a store through the same base
    mov     x0, #0
    mov     x5, #50 * 8
3:  ldr     d0, [x22, x0]
    fmul    d1, d0, d3
    str     d1, [x22, x0]
    ldr     d4, [x22, x0]
    fnmadd  d5, d4, d3, d0
    fmsub   d6, d5, d3, d4
    fsub    d7, d6, d0
    fadd    d7, d7, d1
    str     d7, [x23, x0]
    add     x0, x0, #8
    cmp     x0, x5
    b.ne    3b
    bl      save

    // 4. fb[j + 1] += fb[j] * 0.3f: each iteration reads what the one before wrote
    mov     x3, x21
    add     x1, x21, #4
    ldr     s2, c_f
    mov     x0, #0
4:  ldr     s1, [x3, x0]
    ldr     s0, [x1, x0]
    fmadd   s0, s1, s2, s0
    str     s0, [x1, x0]
    add     x0, x0, #4
    cmp     x0, #150 * 4
    b.ne    4b
    bl      save

    // 5. fb[j] = fa[j] * 0.3f + fa[j] - 0.3f, j < 40 (f32, FMUL/FADD/FSUB: vectorised without FMA3 too)
    mov     x0, #0
    mov     x4, #40 * 4
5:  ldr     s0, [x20, x0]
    fmul    s1, s0, s2
    fadd    s1, s1, s0
    fsub    s1, s1, s2
    str     s1, [x21, x0]
    add     x0, x0, #4
    cmp     x4, x0
    b.ne    5b
    bl      save

    // 7. NEON over fa/fb: FMLA, FMLS by element, FMUL, FADD on 4S (the whole-vector fast paths), j < 48
    mov     x10, #0x10              // FPSR: IXC only again, so the flags these loops raise show
    msr     fpsr, x10
    dup     v2.4s, v2.s[0]
    ldr     s6, c_f2
    mov     v2.s[1], v6.s[0]        // v2 = {0.3, 0.7, 0.3, 0.3}
    bl      neon_4s
    bl      save

    // 8. NEON over da/db: FMUL, FSUB, FMLA by element on 2D, i < 40
    ldr     d5, c_d
    bl      neon_2d
    bl      save

    // 11. in-order dot products as gcc -O2 makes them (4S FMUL, its lanes summed as scalars, no store):
    // fa·fb over 48 elements, sa·sa (with `special` two products near the largest float whose sum
    // overflows: OFC), za·zb (products that are exact zeros)
    mov     x9, x20
    mov     x10, x21
    mov     x4, #48 * 4
    bl      dot
    bl      save
    ldr     x9, =sa
    mov     x10, x9
    mov     x4, #16 * 4
    bl      dot
    bl      save
    ldr     x9, =za
    ldr     x10, =zb
    bl      dot
    bl      save

    // 12. fb[j] -= fa[j], j < 48: 4S FSUB at base + index, stored back in place
    mov     x0, #0
12: ldr     q0, [x21, x0]
    ldr     q1, [x20, x0]
    fsub    v0.4s, v0.4s, v1.4s
    str     q0, [x21, x0]
    add     x0, x0, #16
    cmp     x0, #48 * 4
    b.ne    12b
    bl      save

    // 7b, 8b. loops 7 and 8 over za/zb and zc/zd, whose lanes give exact zeros
    ldr     x0, =za
    ldr     x2, =zb
    add     x4, x0, #16 * 4
    bl      neon_4s_at
    bl      save
    ldr     x0, =zc
    ldr     x2, =zd
    add     x4, x0, #8 * 8
    bl      neon_2d_at
    bl      save
    cmp     x27, #2
    b.lt    done

    // special: 9. loop 7 again with FPSR clear: the fast mode is off (IXC has to be raised)
    msr     fpsr, xzr
    bl      neon_4s
    bl      save

    // special: 10. loop 8 again rounding toward zero (FPCR.RMode = RZ: the fast mode is off; lifted code
    // leaves such iterations to the interpreter)
    mrs     x11, fpcr
    orr     x10, x11, #3 << 22
    msr     fpcr, x10
    bl      neon_2d
    bl      save
    msr     fpcr, x11

done:
    mov     x0, #1
    mov     x1, x20
    ldr     x2, =end
    sub     x2, x2, x1
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #0
    mov     x8, #93                 // exit
    svc     #0

    // fb[j] += m[j] * 0.3f where m starts 40 elements below 4 GiB: the read at 4 GiB faults
fault:
    mov     x1, x21
    mov     x3, #0x100000000
    sub     x3, x3, #40 * 4
    ldr     s2, c_f
    mov     x0, #0
6:  ldr     s1, [x3, x0]
    ldr     s0, [x1, x0]
    fmadd   s0, s1, s2, s0
    str     s0, [x1, x0]
    add     x0, x0, #4
    cmp     x0, #100 * 4
    b.ne    6b
    mov     x0, #0
    mov     x8, #93
    svc     #0

    // vfault: loop 7 reading from 40 elements below 4 GiB (the whole-vector groups must not run into it)
vfault:
    mov     x0, #0x100000000
    sub     x0, x0, #40 * 4
    mov     x2, x21
    add     x4, x0, #48 * 4
    bl      neon_4s_at
    mov     x0, #0
    mov     x8, #93
    svc     #0

// Loop 7: fb[j] for j < 48 by 4S FMLA, FMLS by element, FMUL, FADD (v2 the multipliers); clobbers x0, x2, x4,
// q0, q1, q3
neon_4s:
    mov     x0, x20
    mov     x2, x21
    add     x4, x20, #48 * 4
// … from x0 over x2 up to x0 = x4
neon_4s_at:
7:  ldr     q1, [x0], #16
    ldr     q0, [x2]
    fmla    v0.4s, v1.4s, v2.4s
    fmls    v0.4s, v1.4s, v2.s[1]
    fmul    v3.4s, v0.4s, v1.4s
    fadd    v0.4s, v0.4s, v3.4s
    str     q0, [x2], #16
    cmp     x0, x4
    b.ne    7b
    ret

// Loop 8: db[i] for i < 40 by 2D FMUL, FSUB, FMLA by element (d5 the multiplier); clobbers x0, x2, x4, q0, q1,
// q3
neon_2d:
    mov     x0, x22
    mov     x2, x23
    add     x4, x22, #40 * 8
neon_2d_at:
8:  ldr     q1, [x0], #16
    ldr     q0, [x2]
    fmul    v3.2d, v1.2d, v0.2d
    fsub    v0.2d, v3.2d, v1.2d
    fmla    v0.2d, v1.2d, v5.d[0]
    str     q0, [x2], #16
    cmp     x0, x4
    b.ne    8b
    ret

// Loop 11: s1 = the in-order sum of x9[j] * x10[j] over x4 bytes (4S products, scalar sums, an index register
// stepping by a vector); clobbers x0, q0-q3
dot:
    mov     x0, #0
    fmov    s1, wzr
11: ldr     q2, [x9, x0]
    ldr     q0, [x10, x0]
    add     x0, x0, #16
    fmul    v0.4s, v0.4s, v2.4s
    mov     s3, v0.s[1]
    fadd    s1, s1, s0
    mov     s2, v0.s[2]
    mov     s0, v0.s[3]
    fadd    s1, s3, s1
    fadd    s1, s2, s1
    fadd    s1, s1, s0
    cmp     x0, x4
    b.ne    11b
    ret

// d0 = v(x1); clobbers x2-x4, d1, d2
value:
    mov     x2, #7
    mul     x2, x1, x2
    mov     x3, #13
    udiv    x4, x2, x3
    msub    x2, x4, x3, x2
    sub     x2, x2, #6
    scvtf   d0, x2
    fmov    d1, #0.375
    fmov    d2, #1.0
    fmadd   d0, d0, d1, d2
    ret

// regs[k] = q0..q7, x0, NZCV, FPSR, FPCR
save:
    stp     q0, q1, [x28]
    stp     q2, q3, [x28, #32]
    stp     q4, q5, [x28, #64]
    stp     q6, q7, [x28, #96]
    mrs     x9, nzcv
    stp     x0, x9, [x28, #128]
    mrs     x9, fpsr
    mrs     x10, fpcr
    stp     x9, x10, [x28, #144]
    add     x28, x28, #160
    ret

    .balign 8
c_f:
    .float  0.3
c_f2:
    .float  0.7
    .balign 8
c_d:
    .double -0.7

    .data
    .balign 16
fa: .space  200 * 4
fb: .space  200 * 4
da: .space  200 * 8
db: .space  200 * 8
// Loop 7b (za the FMLA/FMLS factors, zb the accumulators; multipliers 0.3, 0.7): zeros times zeros onto zeros,
// a zero factor, -0, and -1 (whose FMUL then cancels in the FADD: x - x).
za: .float  0.0, 0.0, 1.5, -1.0,  -0.0, 0.0, 2.5, 0.0,  0.0, -1.0, 0.0, 3.0,  0.0, 0.0, 0.0, 0.0
zb: .float  0.0, 2.0, 1.0, 1.25,  0.0, -0.0, 0.0, 4.0,  0.0, 0.5, 1.0, -2.0,  -0.0, 0.0, 0.0, 0.0
// Loop 8b (zc the factors, zd the values; multiplier -0.7): a zero factor (then 0 - 0), 1 · 1 - 1, -0.
zc: .double 0.0, 1.0, 2.0, -0.0,  0.0, 1.0, 0.0, 0.5
zd: .double 5.0, 1.0, 3.0, 5.0,  0.0, 1.0, -2.0, 2.0
// Loop 11's sa·sa (`special` makes lanes 5 and 6 1.5e19)
sa: .float  1.0, 2.0, 0.5, 0.25,  3.0, 1.5, 1.5, 1.0,  1.0, 1.0, 1.0, 1.0,  1.0, 1.0, 1.0, 1.0
regs:
    .space  15 * 160
end:
