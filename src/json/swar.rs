//! Eight bytes at a time in a `u64` ("SIMD within a register"): the scans
//! for quotes, backslashes and control characters that dominate reading and
//! writing JSON strings. Plain integer arithmetic, so it is as fast in
//! WebAssembly (which has 64-bit integers) as natively.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `i`, if there are eight left.
#[inline]
pub fn load(b: &[u8], i: usize) -> Option<u64> {
    let c = b.get(i..i + 8)?;
    Some(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
}

/// Non-zero when some byte of `x` is zero.
#[inline]
fn zero_byte(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

/// Non-zero when some byte of `x` equals `b`.
#[inline]
pub fn has_byte(x: u64, b: u8) -> u64 {
    zero_byte(x ^ (LO * b as u64))
}

/// Non-zero when some byte of `x` is below 0x20 (a control character).
#[inline]
pub fn has_control(x: u64) -> u64 {
    x.wrapping_sub(LO * 0x20) & !x & HI
}

/// Non-zero when some byte of `x` is 0x80 or above (not ASCII).
#[inline]
pub fn has_high(x: u64) -> u64 {
    x & HI
}

/// `a == b`, eight bytes at a time: for the short keys compared once per
/// row field, where a call to `memcmp` (a byte loop in wasm32) costs more.
#[inline]
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut i = 0;
    while i + 8 < n {
        if load(a, i) != load(b, i) {
            return false;
        }
        i += 8;
    }
    load(a, n - 8) == load(b, n - 8) // the last eight, overlapping
}

/// Whether every byte is below 0x80.
pub fn all_ascii(b: &[u8]) -> bool {
    // 32 bytes a step, OR-ed together (std's `is_ascii` goes by `usize`, 4
    // bytes in wasm32); LLVM turns this into vector code where it can.
    let mut blocks = b.chunks_exact(32);
    let mut acc = 0u64;
    for blk in blocks.by_ref() {
        for w in blk.chunks_exact(8) {
            acc |= u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        }
    }
    has_high(acc) == 0 && blocks.remainder().is_ascii()
}

/// The first byte at or after `i` that a JSON string scan must stop on: a
/// quote, a backslash, a control character (below 0x20), a non-ASCII byte
/// (0x80 and above) and, with `DEL`, 0x7f (which ensure_ascii escapes);
/// `b.len()` if there is none. Sixteen bytes at a time with SSE2 on x86_64
/// (part of its baseline), eight bytes at a time in a `u64` elsewhere.
#[cfg_attr(not(feature = "size"), inline(always))]
pub fn find_special<const DEL: bool>(b: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while let Some(m) = sse2::special16::<DEL>(b, i) {
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    while let Some(x) = load(b, i) {
        let mut m = has_control(x) | has_byte(x, b'"') | has_byte(x, b'\\') | has_high(x);
        if DEL {
            m |= has_byte(x, 0x7f);
        }
        if m != 0 {
            return i + first_flag(m);
        }
        i += 8;
    }
    while i < b.len() {
        let c = b[i];
        if !(0x20..0x80).contains(&c) || c == b'"' || c == b'\\' || (DEL && c == 0x7f) {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use core::arch::x86_64::*;

    /// One bit per byte of `b[i..i + 16]` that `find_special` stops on.
    #[cfg_attr(not(feature = "size"), inline(always))]
    pub fn special16<const DEL: bool>(b: &[u8], i: usize) -> Option<u32> {
        let chunk = b.get(i..i + 16)?;
        // SAFETY: SSE2 is in every x86_64 CPU (the target's baseline), and
        // the unaligned load reads exactly the 16 bytes of `chunk`.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // A signed compare: bytes 0x80 and above are negative, so this
            // one test finds them and the control characters.
            let low_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
            let mut m = _mm_or_si128(_mm_or_si128(quote, backslash), low_or_high);
            if DEL {
                m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
            }
            Some(_mm_movemask_epi8(m) as u32)
        }
    }
}

/// Index of the first flagged byte of a non-zero mask from the tests above.
/// Their false flags (a borrow carried into the next byte) only ever sit
/// above a true one, so the lowest flag is exact.
#[inline]
pub fn first_flag(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_test_finds_its_byte_in_every_position() {
        for pos in 0..8 {
            let mut bytes = *b"abcdefgh";
            let clean = u64::from_le_bytes(bytes);
            assert_eq!(has_byte(clean, b'"') | has_control(clean) | has_high(clean), 0);
            bytes[pos] = b'"';
            assert_ne!(has_byte(u64::from_le_bytes(bytes), b'"'), 0);
            bytes[pos] = 0x1f;
            assert_ne!(has_control(u64::from_le_bytes(bytes)), 0);
            bytes[pos] = 0x00;
            assert_ne!(has_control(u64::from_le_bytes(bytes)), 0);
            bytes[pos] = 0xc3;
            assert_ne!(has_high(u64::from_le_bytes(bytes)), 0);
            assert_eq!(has_control(u64::from_le_bytes(bytes)), 0);
            bytes[pos] = b' ';
            assert_eq!(has_control(u64::from_le_bytes(bytes)), 0);
        }
    }

    #[test]
    fn eq_is_slice_equality() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for n in 0..text.len() {
            for start in 0..4 {
                let a = &text[..n];
                let mut b = text[start..].to_vec();
                b.truncate(n);
                assert_eq!(eq(a, &b), a == &b[..], "{n} {start}");
                for i in 0..n {
                    let mut c = a.to_vec();
                    c[i] ^= 1;
                    assert!(!eq(a, &c));
                }
                assert!(!eq(a, &text[..n.saturating_sub(1)]) || n == 0);
            }
        }
    }

    #[test]
    fn find_special_finds_the_first_stop_at_any_position() {
        let stops = [0x00u8, 0x1f, b'"', b'\\', 0x7f, 0x80, 0xc3, 0xff];
        let plain = [b' ', b'a', 0x21, 0x5b, 0x5d, 0x7e];
        for len in 0..40 {
            for p in 0..=len {
                for &x in &stops {
                    for &y in stops.iter().chain(&plain) {
                        let mut b = vec![b'a'; len];
                        if p < len {
                            b[p] = x;
                        }
                        for c in b.iter_mut().take(len.min(p + 3)).skip(p + 1) {
                            *c = y;
                        }
                        for start in [0, 1, 7, 8, 15, 16, 17] {
                            if start > len {
                                continue;
                            }
                            let stop = |c: u8, del: bool| !(0x20..0x80).contains(&c) || c == b'"' || c == b'\\' || (del && c == 0x7f);
                            let want = |del| (start..len).find(|&k| stop(b[k], del)).unwrap_or(len);
                            assert_eq!(find_special::<true>(&b, start), want(true), "{b:?} from {start}");
                            assert_eq!(find_special::<false>(&b, start), want(false), "{b:?} from {start}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn all_ascii_sees_a_high_byte_anywhere() {
        for len in 0..20 {
            let mut b = vec![b'a'; len];
            assert!(all_ascii(&b));
            for i in 0..len {
                b[i] = 0x80;
                assert!(!all_ascii(&b), "{len} {i}");
                b[i] = 0x7f;
                assert!(all_ascii(&b));
            }
        }
    }

    #[test]
    fn first_flag_is_the_first_match_whatever_follows() {
        // Every pair of positions, with bytes that provoke borrows after the first.
        for first in 0..8 {
            for later in [0x00u8, 0x01, 0x1f, b'"', b'\\', 0x21, 0x23, 0x5d, 0xff] {
                let mut bytes = [b'a'; 8];
                bytes[first] = 0x00;
                for b in bytes.iter_mut().skip(first + 1) {
                    *b = later;
                }
                let x = u64::from_le_bytes(bytes);
                assert_eq!(first_flag(has_control(x)), first);
                bytes[first] = b'"';
                let x = u64::from_le_bytes(bytes);
                assert_eq!(first_flag(has_byte(x, b'"') | has_control(x) | has_byte(x, b'\\')), first);
            }
        }
    }
}
