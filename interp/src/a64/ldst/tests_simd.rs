//! Tests of the Advanced SIMD structure loads and stores. Expected register contents are qemu-aarch64's for
//! the same instructions on the same data (`buf[i] = i * 7 + 0x80`); words from aarch64-linux-gnu-as.

use super::tests::{BUF, OUT, T};

const FF: u128 = u128::MAX;

fn hex(s: &str) -> alloc::vec::Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn ld2_ld3_ld4_deinterleave() {
    let mut t = T::new();
    t.set(0, BUF);
    t.cpu.v[0..4].copy_from_slice(&[FF; 4]);
    t.ok(0x0c404000); // ld3 {v0.8b-v2.8b}, [x0]
    assert_eq!(t.cpu.v[0], 0x13fee9d4bfaa9580);
    assert_eq!(t.cpu.v[1], 0x1a05f0dbc6b19c87);
    assert_eq!(t.cpu.v[2], 0x210cf7e2cdb8a38e);
    t.ok(0x4c400400); // ld4 {v0.8h-v3.8h}, [x0]
    assert_eq!(t.cpu.v[0], 0x0f08d7d09f9867602f28f7f0bfb88780);
    assert_eq!(t.cpu.v[1], 0x1d16e5deada6756e3d3605fecdc6958e);
    assert_eq!(t.cpu.v[2], 0x2b24f3ecbbb4837c4b44130cdbd4a39c);
    assert_eq!(t.cpu.v[3], 0x393201fac9c2918a5952211ae9e2b1aa);
    t.ok(0x4c408800); // ld2 {v0.4s, v1.4s}, [x0]
    assert_eq!(t.cpu.v[0], 0x3d362f2805fef7f0cdc6bfb8958e8780);
    assert_eq!(t.cpu.v[1], 0x59524b44211a130ce9e2dbd4b1aaa39c);
}

#[test]
fn ld1_forms() {
    let mut t = T::new();
    t.cpu.v[0] = FF;
    t.set(0, BUF + 5);
    t.ok(0x0c407000); // ld1 {v0.8b}, [x0]: upper half zeroed
    assert_eq!(t.cpu.v[0], 0xd4cdc6bfb8b1aaa3);
    t.set(0, BUF);
    t.cpu.v[3] = 0x4444_4444_4444_4444_4444_4444_4444_4444;
    t.ok(0x0c406c00); // ld1 {v0.1d-v2.1d}, [x0]
    assert_eq!(
        t.cpu.v[0..4],
        [
            0xb1aaa39c958e8780,
            0xe9e2dbd4cdc6bfb8,
            0x211a130c05fef7f0,
            0x4444_4444_4444_4444_4444_4444_4444_4444
        ]
    );
    t.ok(0x4cdf2000); // ld1 {v0.16b-v3.16b}, [x0], #64
    assert_eq!(t.x(0), BUF + 64);
    for r in 0..4 {
        let want = u128::from_le_bytes(t.bytes(BUF + 16 * r, 16).try_into().unwrap());
        assert_eq!(t.cpu.v[r as usize], want);
    }
}

#[test]
fn ld4_wraps_registers_and_post_indexes_by_register() {
    let mut t = T::new();
    t.cpu.sp = BUF;
    t.set(2, 5);
    t.ok(0x4cc20bff); // ld4 {v31.4s, v0.4s, v1.4s, v2.4s}, [sp], x2
    assert_eq!(t.cpu.sp, BUF + 5);
    assert_eq!(t.cpu.v[31], 0xe5ded7d0756e676005fef7f0958e8780);
    assert_eq!(t.cpu.v[0], 0x01faf3ec918a837c211a130cb1aaa39c);
    assert_eq!(t.cpu.v[1], 0x1d160f08ada69f983d362f28cdc6bfb8);
    assert_eq!(t.cpu.v[2], 0x39322b24c9c2bbb459524b44e9e2dbd4);
    // ld2 {v0.16b, v1.16b}, [x0], x3 with x3 = -3
    t.set(0, BUF + 8);
    t.set(3, (-3i64) as u64);
    t.ok(0x4cc38000);
    assert_eq!(t.x(0), BUF + 5);
    assert_eq!(t.cpu.v[0], 0x8a7c6e60524436281a0cfef0e2d4c6b8);
    assert_eq!(t.cpu.v[1], 0x91837567594b3d2f211305f7e9dbcdbf);
}

#[test]
fn structure_stores() {
    let mut t = T::new();
    t.set(0, BUF);
    t.ok(0x4c40a000); // ld1 {v0.16b, v1.16b}, [x0]
    t.set(0, OUT);
    t.ok(0x4c9f8400); // st2 {v0.8h, v1.8h}, [x0], #32
    assert_eq!(t.x(0), OUT + 32);
    let want = hex("8087f0f78e95fe059ca30c13aab11a21b8bf282fc6cd363dd4db444be2e95259");
    assert_eq!(t.bytes(OUT, 32), &want[..]);
    // st4 {v0.2s-v3.2s}, [x0] after ld1 {v0.16b-v3.16b}: only the low halves are stored.
    t.set(0, BUF);
    t.ok(0x4cdf2000);
    t.set(0, OUT);
    t.put(OUT, &[0; 48]);
    t.ok(0x0c000800);
    let want =
        hex("80878e95f0f7fe0560676e75d0d7dee59ca3aab10c131a217c838a91ecf3fa010000000000000000");
    assert_eq!(t.bytes(OUT, 40), &want[..]);
}

#[test]
fn lane_forms() {
    let mut t = T::new();
    t.set(0, BUF);
    t.cpu.v[0] = 0xaaaa_aaaa_aaaa_aaaa_aaaa_aaaa_aaaa_aaaa;
    t.cpu.v[1] = 0xbbbb_bbbb_bbbb_bbbb_bbbb_bbbb_bbbb_bbbb;
    t.cpu.v[2] = 0xcccc_cccc_cccc_cccc_cccc_cccc_cccc_cccc;
    t.ok(0x0d40b000); // ld3 {v0.s-v2.s}[1], [x0]: other lanes kept
    assert_eq!(t.cpu.v[0], 0xaaaaaaaaaaaaaaaa958e8780aaaaaaaa);
    assert_eq!(t.cpu.v[1], 0xbbbbbbbbbbbbbbbbb1aaa39cbbbbbbbb);
    assert_eq!(t.cpu.v[2], 0xcccccccccccccccccdc6bfb8cccccccc);
    t.cpu.v[5] = 0x5555_5555_5555_5555_5555_5555_5555_5555;
    t.ok(0x4d408405); // ld1 {v5.d}[1], [x0]
    assert_eq!(t.cpu.v[5], 0xb1aaa39c958e87805555555555555555);
    // st1 {v0.b}[9], [x0], x1 after ld1 {v0.16b}, [x0]
    t.ok(0x4c407000);
    t.set(0, OUT);
    t.set(1, 3);
    t.ok(0x4d810400);
    assert_eq!((t.x(0), t.bytes(OUT, 2)), (OUT + 3, &[0xbf, 0][..]));
    // st3 {v0.h-v2.h}[7], [x0], #6 after ld1 {v0.16b-v2.16b}
    t.set(0, BUF);
    t.ok(0x4cdf2000);
    t.set(0, OUT);
    t.put(OUT, &[0; 8]);
    t.ok(0x4d9f7800);
    assert_eq!(
        (t.x(0), t.bytes(OUT, 8)),
        (OUT + 6, &hex("e2e95259c2c90000")[..])
    );
}

#[test]
fn load_and_replicate() {
    let mut t = T::new();
    t.set(0, BUF + 3);
    t.cpu.v[0] = FF;
    t.ok(0x0d40c400); // ld1r {v0.4h}, [x0]
    assert_eq!(t.cpu.v[0], 0x9c959c959c959c95);
    t.set(0, BUF);
    t.ok(0x4d60cc00); // ld2r {v0.2d, v1.2d}, [x0]
    assert_eq!(t.cpu.v[0], 0xb1aaa39c958e8780b1aaa39c958e8780);
    assert_eq!(t.cpu.v[1], 0xe9e2dbd4cdc6bfb8e9e2dbd4cdc6bfb8);
    t.set(0, BUF + 5);
    t.ok(0x0dffe000); // ld4r {v0.8b-v3.8b}, [x0], #4
    assert_eq!(t.x(0), BUF + 9);
    assert_eq!(
        t.cpu.v[0..4],
        [
            0xa3a3a3a3a3a3a3a3,
            0xaaaaaaaaaaaaaaaa,
            0xb1b1b1b1b1b1b1b1,
            0xb8b8b8b8b8b8b8b8
        ]
    );
}

#[test]
fn reserved_structure_encodings() {
    for w in [
        0x0c408c00u32,        // ld2 {v0.1d, v1.1d}: 1D only for LD1/ST1
        0x0c414000,           // ld3 without post-index but Rm != 0
        0x0c403000,           // opcode 0011 unallocated
        0x0d40c400 | 1 << 12, // ld1r with S = 1
        0x0d008400 | 1 << 12, // st1 {v.d}[..] with S = 1
    ] {
        assert_eq!(super::LdSt::decode(w), None, "{w:#010x}");
    }
}
