//! Datetimes as DRF renders them: converted to UTC (Label Studio's TIME_ZONE),
//! Python `isoformat()`, and a trailing `+00:00` written as `Z`.
//!
//! Input follows Django's `parse_datetime` grammar, which is what a Label
//! Studio row can hold: `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][Z|±HH[[:]MM]]`.
//! Fractions past six digits are truncated (as Django does); a datetime with
//! no offset is taken as UTC (Django's `make_aware` in a UTC server).

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike};

/// Parses a JSON string's raw body (the text between its quotes) and writes
/// the DRF rendering (without quotes). The usual UTC text is rewritten as it
/// stands; only text that is not (an escape fails that path too) is decoded
/// and parsed in full.
pub fn render(raw: &str, out: &mut Vec<u8>) -> Result<(), String> {
    if render_utc_fast(raw, out) {
        return Ok(());
    }
    let dt = parse_utc(&crate::json::reader::decode_string_body(raw))?;
    write_utc(&dt, out);
    Ok(())
}

/// The common case, already in UTC: `YYYY-MM-DDTHH:MM:SS[.ffffff](+00:00|Z)`
/// is rewritten without calendar arithmetic. Anything else returns false.
fn render_utc_fast(text: &str, out: &mut Vec<u8>) -> bool {
    let b = text.as_bytes();
    let head = match b.len() {
        20 | 25 | 27 | 32 => 19,
        _ => return false,
    };
    let tail = &b[head..];
    let (frac, zone) = match tail.len() {
        1 => (&tail[..0], tail),
        6 => (&tail[..0], tail),
        8 => (&tail[1..7], &tail[7..]),
        13 => (&tail[1..7], &tail[7..]),
        _ => return false,
    };
    if !(zone == b"Z" || zone == b"+00:00") || (!frac.is_empty() && tail[0] != b'.') {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
    };
    let fields = (|| {
        let sep = b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
        let valid_frac = frac.iter().all(u8::is_ascii_digit);
        Some((sep && valid_frac, num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?))
    })();
    let Some((true, year, month, day, hour, minute, second)) = fields else { return false };
    if year == 0 || hour > 23 || minute > 59 || second > 59 || NaiveDate::from_ymd_opt(year as i32, month, day).is_none() {
        return false; // let the full parser say what is wrong
    }
    out.extend_from_slice(&b[..19]);
    if !frac.is_empty() && frac != b"000000" {
        out.push(b'.');
        out.extend_from_slice(frac);
    }
    out.push(b'Z');
    true
}

/// The instant as a naive UTC datetime.
pub fn parse_utc(text: &str) -> Result<NaiveDateTime, String> {
    let bad = || format!("{text:?} is not an ISO 8601 datetime (YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|+HH:MM])");
    let mut s = Scanner { b: text.as_bytes(), i: 0 };
    let year = s.digits(4, 4).ok_or_else(bad)?;
    s.lit(b'-').ok_or_else(bad)?;
    let month = s.digits(1, 2).ok_or_else(bad)?;
    s.lit(b'-').ok_or_else(bad)?;
    let day = s.digits(1, 2).ok_or_else(bad)?;
    if !(s.lit(b'T').is_some() || s.lit(b' ').is_some()) {
        return Err(bad());
    }
    let hour = s.digits(1, 2).ok_or_else(bad)?;
    s.lit(b':').ok_or_else(bad)?;
    let minute = s.digits(1, 2).ok_or_else(bad)?;
    let mut second = 0;
    let mut micros = 0;
    if s.lit(b':').is_some() {
        second = s.digits(1, 2).ok_or_else(bad)?;
        if s.lit(b'.').is_some() || s.lit(b',').is_some() {
            let start = s.i;
            let frac = s.digits(1, 12).ok_or_else(bad)?;
            let n = s.i - start;
            // Keep the first six digits: truncation, not rounding.
            micros = if n >= 6 { frac / 10u32.pow((n - 6) as u32) } else { frac * 10u32.pow((6 - n) as u32) };
        }
    }
    while s.lit(b' ').is_some() {}
    let mut offset_secs: i64 = 0;
    if s.lit(b'Z').is_some() {
    } else if let Some(sign) = s.lit(b'+').map(|_| 1).or_else(|| s.lit(b'-').map(|_| -1)) {
        let oh = s.digits(2, 2).ok_or_else(bad)?;
        let _ = s.lit(b':');
        let om = if s.i < s.b.len() { s.digits(2, 2).ok_or_else(bad)? } else { 0 };
        if oh > 23 || om > 59 {
            return Err(format!("{text:?} has an offset out of range"));
        }
        offset_secs = sign * (oh as i64 * 3600 + om as i64 * 60);
    }
    if s.i != s.b.len() {
        return Err(bad());
    }
    let local = NaiveDate::from_ymd_opt(year as i32, month, day)
        .and_then(|d| d.and_hms_micro_opt(hour, minute, second, micros))
        .ok_or_else(|| format!("{text:?} is not a valid date and time"))?;
    let utc = local
        .checked_sub_signed(TimeDelta::seconds(offset_secs))
        .filter(|d| (1..=9999).contains(&d.year()))
        .ok_or_else(|| format!("{text:?} is out of Python's datetime range in UTC"))?;
    Ok(utc)
}

/// `isoformat()` of an aware UTC datetime, with DRF's `Z`.
pub fn write_utc(dt: &NaiveDateTime, out: &mut Vec<u8>) {
    let digits = |out: &mut Vec<u8>, v: u32, width: u32| {
        for k in (0..width).rev() {
            out.push(b'0' + (v / 10u32.pow(k) % 10) as u8);
        }
    };
    digits(out, dt.year() as u32, 4);
    out.push(b'-');
    digits(out, dt.month(), 2);
    out.push(b'-');
    digits(out, dt.day(), 2);
    out.push(b'T');
    digits(out, dt.hour(), 2);
    out.push(b':');
    digits(out, dt.minute(), 2);
    out.push(b':');
    digits(out, dt.second(), 2);
    let micros = dt.nanosecond() / 1000;
    if micros != 0 {
        out.push(b'.');
        digits(out, micros, 6);
    }
    out.push(b'Z');
}

/// A UTC datetime from milliseconds since the epoch (a JavaScript `Date`).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm boundary's Date
pub fn from_epoch_millis(ms: f64) -> Option<String> {
    if !ms.is_finite() {
        return None;
    }
    let dt = chrono::DateTime::from_timestamp_millis(ms as i64)?.naive_utc();
    if !(1..=9999).contains(&dt.year()) {
        return None;
    }
    let mut out = Vec::new();
    write_utc(&dt, &mut out);
    String::from_utf8(out).ok()
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn lit(&mut self, c: u8) -> Option<()> {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u64 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + (self.b[self.i] - b'0') as u64;
            self.i += 1;
        }
        // Django allows extra fraction digits past six: swallow up to 12 in all.
        if self.i - start < min {
            return None;
        }
        u32::try_from(v).ok().or(Some(u32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        let mut v = Vec::new();
        render(s, &mut v).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn renders_like_drf() {
        assert_eq!(r("2026-11-26T23:17:32.937907+00:00"), "2026-11-26T23:17:32.937907Z");
        assert_eq!(r("2026-11-26T23:17:32.000000Z"), "2026-11-26T23:17:32Z");
        assert_eq!(r("2026-11-26 23:17:32"), "2026-11-26T23:17:32Z");
        assert_eq!(r("2026-11-27T01:17:32.5+02:00"), "2026-11-26T23:17:32.500000Z");
        assert_eq!(r("2026-11-26T20:47:32.937907-02:30"), "2026-11-26T23:17:32.937907Z");
        assert_eq!(r("2026-12-31T23:30:00-01"), "2027-01-01T00:30:00Z");
        assert_eq!(r("2024-03-01T00:10:00+0100"), "2024-02-29T23:10:00Z");
        assert_eq!(r("2026-11-26T23:17"), "2026-11-26T23:17:00Z");
        assert_eq!(r("2026-11-26T23:17:32.1234567891Z"), "2026-11-26T23:17:32.123456Z");
        assert_eq!(r("0999-01-01T00:00:00Z"), "0999-01-01T00:00:00Z");
        assert_eq!(r("2024-02-29T10:00:00.000001+00:00"), "2024-02-29T10:00:00.000001Z");
        assert_eq!(r("2024-02-29T10:00:00.100000Z"), "2024-02-29T10:00:00.100000Z");
        // Raw JSON string bodies: an escape is decoded before the full parse.
        assert_eq!(r(r"2026-11-26T23:17:32\u002B00:00"), "2026-11-26T23:17:32Z");
        assert_eq!(r(r"2026-11-26T23\u003a17Z"), "2026-11-26T23:17:00Z");
    }

    #[test]
    fn rejects_what_is_not_a_datetime() {
        for s in ["", "yesterday", "2026-11-26", "2026-13-01T00:00", "2026-02-30T00:00", "2026-11-26T24:00",
            "2026-11-26T23:17:32+2400", "0001-01-01T00:00:00+01:00", "2026-11-26T23:17:32Zjunk", "2026-11-26T23:17:60",
            "2023-02-29T10:00:00+00:00", "2026-11-26T23:17:32.1234x6Z", "2026-11-26X23:17:32+00:00", "0000-01-01T00:00:00Z"] {
            assert!(parse_utc(s).is_err(), "{s}");
            assert!(render(s, &mut Vec::new()).is_err(), "{s}");
        }
    }

    #[test]
    fn converts_js_dates() {
        assert_eq!(from_epoch_millis(0.0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(from_epoch_millis(1_795_000_000_123.0).unwrap(), "2026-11-18T11:06:40.123000Z");
        assert!(from_epoch_millis(f64::NAN).is_none());
    }
}
