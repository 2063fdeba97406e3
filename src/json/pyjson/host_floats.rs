//! `float(text)` read exactly with a host's number parser that is exact only to
//! 20 significant digits.
//!
//! The browser's build asks the JavaScript host for numbers (its `Number`) rather
//! than ship core's correctly rounding reader (13 KB gzipped). ECMAScript makes
//! `Number(text)` correctly rounded up to 20 significant digits and lets it round
//! either way past them; CPython's `float()` is correctly rounded at any length.
//! So a longer literal is bracketed: its first 20 digits, and those plus one unit
//! in the 20th digit, are two exact readings. The literal lies between them, and
//! they are 1e-19 apart relatively, far less than a double's spacing, so they are
//! the same double (which is then the answer) or neighbours. Neighbours have one
//! halfway point between them; the literal is compared with it exactly, in big
//! integers, with ties to the even neighbour as `float()` breaks them.

use std::cmp::Ordering;

/// The most significant digits a host reading is trusted with (ECMAScript's
/// StringToNumber rounds exactly up to this many).
const HOST_EXACT_DIGITS: usize = 20;

/// Digits kept for the halfway comparison. A halfway point between two doubles
/// has at most 768 significant digits, so a literal's first 800 digits plus a
/// nonzero "sticky" digit for the rest compare with it as the whole literal does.
const KEPT_DIGITS: usize = 800;

/// Reads a JSON number literal (`-?int(.frac)?([eE][+-]?exp)?`, as the reader
/// validated it) as Python's `float()`; `host` reads the normalized literals it
/// is given (at most 20 significant digits, `DIGITSeEXP`) as ECMAScript's `Number`.
pub fn read(text: &str, host: impl Fn(&str) -> f64) -> f64 {
    let (negative, digits, exp) = decompose(text.as_bytes());
    let magnitude = if digits.is_empty() {
        0.0
    } else if digits.len() <= HOST_EXACT_DIGITS {
        host(&literal(&digits, exp))
    } else {
        read_long(&digits, exp, &host)
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// The sign, the significant digits (no leading or trailing zeros, ASCII) and the
/// power of ten that scales them as an integer: the value is `digits × 10^exp`.
/// The exponent saturates far outside a double's range, which reads the same.
fn decompose(t: &[u8]) -> (bool, Vec<u8>, i64) {
    let negative = t.first() == Some(&b'-');
    let t = if negative { &t[1..] } else { t };
    let mantissa_end = t.iter().position(|&c| c == b'e' || c == b'E').unwrap_or(t.len());
    let mut exp: i64 = 0;
    if mantissa_end < t.len() {
        let e = &t[mantissa_end + 1..];
        let (sign, e) = match e.first() {
            Some(b'-') => (-1, &e[1..]),
            Some(b'+') => (1, &e[1..]),
            _ => (1, e),
        };
        for &c in e {
            exp = (exp * 10 + i64::from(c - b'0')).min(1 << 40);
        }
        exp *= sign;
    }
    let mantissa = &t[..mantissa_end];
    let frac_len = mantissa.iter().position(|&c| c == b'.').map_or(0, |dot| mantissa.len() - dot - 1);
    let mut digits: Vec<u8> = mantissa.iter().copied().filter(|&c| c != b'.').skip_while(|&c| c == b'0').collect();
    exp -= frac_len as i64;
    while digits.last() == Some(&b'0') {
        digits.pop();
        exp += 1;
    }
    (negative, digits, exp)
}

/// `DIGITSeEXP`, the form given to the host.
fn literal(digits: &[u8], exp: i64) -> String {
    let mut s = String::with_capacity(digits.len() + 22);
    s.push_str(std::str::from_utf8(digits).unwrap_or("0"));
    s.push('e');
    s.push_str(&exp.to_string());
    s
}

fn read_long(digits: &[u8], exp: i64, host: &impl Fn(&str) -> f64) -> f64 {
    let head = &digits[..HOST_EXACT_DIGITS];
    let head_exp = exp + (digits.len() - HOST_EXACT_DIGITS) as i64;
    let low = host(&literal(head, head_exp));
    let high = host(&literal_plus_one(head, head_exp));
    if low.to_bits() == high.to_bits() || !low.is_finite() {
        return low;
    }
    // low and high are neighbours, and the literal is above low: compare it with
    // the halfway point (2m + 1) × 2^(e - 1), where low = m × 2^e.
    let bits = low.to_bits();
    let (m, e) = match bits >> 52 {
        0 => (bits, -1074),
        biased => ((bits & ((1 << 52) - 1)) | (1 << 52), biased as i64 - 1075),
    };
    match compare(digits, exp, 2 * m + 1, e - 1) {
        Ordering::Less => low,
        Ordering::Greater => high,
        Ordering::Equal if m % 2 == 0 => low,
        Ordering::Equal => high,
    }
}

/// The 20 digits plus one in their last place, as a literal (`999…9` carries
/// into one more digit, which is then a power of ten).
fn literal_plus_one(head: &[u8], exp: i64) -> String {
    let mut up = head.to_vec();
    for d in up.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return literal(&up, exp);
        }
    }
    literal(b"1", exp + head.len() as i64)
}

/// `digits × 10^exp` against `odd × 2^exp2`, exactly.
fn compare(digits: &[u8], exp: i64, odd: u64, exp2: i64) -> Ordering {
    let (mut left, exp) = if digits.len() > KEPT_DIGITS {
        // Trailing zeros are gone, so the digits left out hold a nonzero one.
        let mut kept = Big::from_digits(&digits[..KEPT_DIGITS]);
        kept.mul_add(10, 1);
        (kept, exp + (digits.len() - KEPT_DIGITS) as i64 - 1)
    } else {
        (Big::from_digits(digits), exp)
    };
    let mut right = Big::from_u64(odd);
    // 10^exp = 5^exp × 2^exp: fives to whichever side has a positive power, then twos.
    if exp >= 0 {
        left.mul_pow5(exp as u32);
    } else {
        right.mul_pow5((-exp) as u32);
    }
    if exp >= exp2 {
        left.shl((exp - exp2) as u32);
    } else {
        right.shl((exp2 - exp) as u32);
    }
    left.cmp(&right)
}

/// A nonnegative integer, 32-bit limbs, least significant first, no leading zero limbs.
struct Big(Vec<u32>);

impl Big {
    fn from_u64(x: u64) -> Big {
        let mut b = Big(vec![x as u32, (x >> 32) as u32]);
        b.trim();
        b
    }

    fn from_digits(digits: &[u8]) -> Big {
        let mut b = Big(Vec::with_capacity(digits.len() / 9 + 1));
        for chunk in digits.chunks(9) {
            let mut value = 0;
            let mut scale = 1;
            for &d in chunk {
                value = value * 10 + u32::from(d - b'0');
                scale *= 10;
            }
            b.mul_add(scale, value);
        }
        b
    }

    /// self = self × m + a.
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            let x = u64::from(*limb) * u64::from(m) + carry;
            *limb = x as u32;
            carry = x >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    fn mul_pow5(&mut self, mut n: u32) {
        const FIVE_13: u32 = 1_220_703_125; // the largest power of five in a u32
        while n >= 13 {
            self.mul_add(FIVE_13, 0);
            n -= 13;
        }
        self.mul_add(5u32.pow(n), 0);
    }

    fn shl(&mut self, bits: u32) {
        let (limbs, bits) = ((bits / 32) as usize, bits % 32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let x = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = x;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        self.0.splice(0..0, std::iter::repeat(0).take(limbs));
        self.trim();
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, RngCore, SeedableRng};

    /// A host as ECMAScript promises it: exact, and only ever asked about 20 digits or fewer.
    fn host(q: &str) -> f64 {
        let mantissa = q.split(['e', 'E']).next().unwrap();
        let significant = mantissa.trim_start_matches(['-', '0', '.']).chars().filter(char::is_ascii_digit).count();
        assert!(significant <= HOST_EXACT_DIGITS, "the host was asked about {significant} digits: {q}");
        q.parse().unwrap()
    }

    fn check(text: &str) {
        let want: f64 = text.parse().unwrap();
        let got = read(text, host);
        assert_eq!(got.to_bits(), want.to_bits(), "{text}: {got:e} (want {want:e})");
    }

    /// The exact decimal digits of `odd × 2^exp2` and the power of ten scaling them.
    fn exact_decimal(odd: u64, exp2: i64) -> (String, i64) {
        let mut b = Big::from_u64(odd);
        let ten_exp = if exp2 >= 0 {
            b.shl(exp2 as u32);
            0
        } else {
            b.mul_pow5((-exp2) as u32); // odd × 2^-k = odd × 5^k / 10^k
            exp2
        };
        let mut chunks = Vec::new();
        while !b.0.is_empty() {
            let mut rem = 0u64;
            for limb in b.0.iter_mut().rev() {
                let x = (rem << 32) | u64::from(*limb);
                *limb = (x / 1_000_000_000) as u32;
                rem = x % 1_000_000_000;
            }
            b.trim();
            chunks.push(rem as u32);
        }
        let mut s = chunks.pop().map_or("0".to_string(), |c| c.to_string());
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        (s, ten_exp)
    }

    fn halfway_above(x: f64) -> (String, i64) {
        let bits = x.to_bits();
        let (m, e) = match bits >> 52 {
            0 => (bits, -1074),
            b => ((bits & ((1 << 52) - 1)) | (1 << 52), b as i64 - 1075),
        };
        exact_decimal(2 * m + 1, e - 1)
    }

    #[test]
    fn short_literals_go_to_the_host_as_they_are_and_zeros_never_do() {
        for t in ["0.1", "-0.0", "0.000", "1e5", "1E+5", "12.50e-3", "-0.000123", "123456789012345678901e-3", "1.5", "0e999999"] {
            check(t);
        }
        assert!(read("-0.0", host).is_sign_negative());
        assert_eq!(read("1e400", host), f64::INFINITY);
        assert_eq!(read("1e99999999999999999999999", host), f64::INFINITY);
        assert_eq!(read("1e-99999999999999999999999", host), 0.0);
    }

    #[test]
    fn halfway_points_and_their_neighbours_round_as_python_does() {
        let mut rng = SmallRng::seed_from_u64(0x9e37_79b9_7f4a_7c15u64);
        let mut next = move || rng.next_u64();
        let mut xs = vec![f64::MAX, f64::MIN_POSITIVE, 5e-324, 0.0, 1.0, 0.1, 1e23, 9007199254740992.0, 1.19e-261];
        for _ in 0..400 {
            let x = f64::from_bits(next() & 0x7fff_ffff_ffff_ffff);
            if x.is_finite() {
                xs.push(x);
            }
        }
        for x in xs {
            let (digits, exp) = halfway_above(x);
            let lit = |d: &str, e: i64| format!("{d}e{e}");
            check(&lit(&digits, exp)); // a tie: to the even neighbour
            check(&lit(&format!("{digits}0000000000000000000001"), exp - 22)); // just above
            check(&lit(&format!("{digits}{}1", "0".repeat(900)), exp - 902)); // above, past the kept digits
            let below = {
                let mut d = digits.clone().into_bytes();
                let last = d.iter().rposition(|&c| c != b'0').unwrap();
                d[last] -= 1;
                for c in &mut d[last + 1..] {
                    *c = b'9';
                }
                String::from_utf8(d).unwrap()
            };
            check(&lit(&format!("{below}99999999999"), exp - 11)); // just below
            for n in [21, 25, 40, 100] {
                if digits.len() > n {
                    check(&lit(&digits[..n], exp + (digits.len() - n) as i64));
                }
            }
            // The same value written with a point and leading zeros, and negative.
            let point = format!("-0.000{digits}e{}", exp + 3 + digits.len() as i64);
            check(&point);
        }
    }

    #[test]
    fn long_literals_of_any_shape_read_as_core_does() {
        let mut rng = SmallRng::seed_from_u64(0x2545_f491_4f6c_dd1du64);
        let mut next = move || rng.next_u64();
        for _ in 0..3000 {
            let n = 21 + (next() % 60) as usize;
            let mut d: String = (0..n).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            if d.starts_with('0') {
                d.replace_range(0..1, "7");
            }
            let e = (next() % 700) as i64 - 380;
            let dot = 1 + (next() as usize % (n - 1));
            check(&format!("{}.{}e{e}", &d[..dot], &d[dot..]));
            check(&format!("{d}e{e}"));
        }
        // 20 nines carry into a 21st digit.
        check("99999999999999999999999999e-10");
        check("0.99999999999999999999999999999999999999999999999999999");
        check(&format!("1{}", "0".repeat(400)));
        check(&format!("0.{}1", "0".repeat(330)));
    }
}
