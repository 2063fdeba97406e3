//! Where Label Studio 1.23.2 would send a webhook URL, as far as that can be
//! known without a resolver: `validate_url_for_ssrf` (`core/utils/io.py`) runs
//! urllib3 2.x's `parse_url`, requires http or https, then
//! `socket.gethostbyname(host)`; `requests` then refuses a few more hosts.
//! Only what decides the destination is reproduced: the scheme, the host as
//! `gethostbyname` reads it, and the port.

use super::idna2008;
use std::net::Ipv4Addr;

/// The host as `gethostbyname` would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A numeric form `inet_aton` reads (`2130706433`, `0x7f.1`, `127.1`).
    V4(Ipv4Addr),
    /// A bracketed IPv6 literal: `gethostbyname` is IPv4-only, so it fails.
    V6,
    /// A name for the resolver, ASCII and lowercase (IDNA applied); the send-time
    /// guard resolves it.
    Name(String),
}

/// A URL Label Studio would try to send to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: Host,
    pub port: u16,
}

/// Why Label Studio would never send to a URL (the sentence is for people).
pub type Refused = String;

/// `validate_url_for_ssrf` up to the resolver, and the host checks of `requests`.
pub fn target(url: &str) -> Result<Target, Refused> {
    let (scheme, rest) = split_scheme(url).ok_or("not an http(s) URL")?;
    let https = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        _ => return Err("only http and https URLs are sent".into()),
    };
    // `(?://([^\\/?#]*))?`: without `//` there is no host (gethostbyname(None) fails).
    let after = rest.strip_prefix("//").ok_or("no host")?;
    let authority = &after[..after.find(['\\', '/', '?', '#']).unwrap_or(after.len())];
    if authority.is_empty() {
        return Err("no host".into());
    }
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = split_host_port(host_port)?;
    let port = port.unwrap_or(if https { 443 } else { 80 });
    if host.starts_with('[') {
        return Ok(Target { https, host: Host::V6, port });
    }
    if host.is_empty() {
        // gethostbyname("") is 0.0.0.0 (blocked), and requests refuses "No host supplied".
        return Err("no host".into());
    }
    let host = normalize_name(host)?;
    if host.starts_with(['.', '*']) {
        return Err(format!("requests refuses the host {host:?} (Invalid URL: Invalid host)"));
    }
    python_idna_codec_check(&host)?;
    let host = match inet_aton(&host) {
        Some(ip) => Host::V4(ip),
        // CPython's own shortcut before the resolver (`setipaddr`).
        None if host == "<broadcast>" => Host::V4(Ipv4Addr::BROADCAST),
        None => Host::Name(host),
    };
    Ok(Target { https, host, port })
}

/// `^([a-zA-Z][a-zA-Z0-9+.-]*):` (urllib3's `_URI_RE` scheme group).
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let ok = chars.next()?.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    ok.then_some((scheme, rest))
}

/// urllib3's `_HOST_PORT_RE`: a reg-name (no `[ ] % : / ? #` except `%XX`) or a
/// bracketed IPv6 literal, then an optional `:port` of at most five significant
/// digits, at most 65535.
fn split_host_port(host_port: &str) -> Result<(&str, Option<u16>), Refused> {
    let bad = || format!("{host_port:?} is not a valid host or port");
    let end = if host_port.starts_with('[') {
        let close = host_port.find(']').ok_or_else(bad)?;
        let inside = &host_port[1..close];
        let addr = inside.split_once('%').map_or(inside, |(a, _)| a);
        addr.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?;
        close + 1
    } else {
        let b = host_port.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'[' | b']' | b':' | b'/' | b'?' | b'#' => break,
                b'%' if b.len() >= i + 3 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() => i += 3,
                b'%' => break,
                _ => i += 1,
            }
        }
        i
    };
    let (host, rest) = host_port.split_at(end);
    let port = match rest.strip_prefix(':') {
        None if rest.is_empty() => None,
        None => return Err(bad()),
        Some(p) if !p.bytes().all(|c| c.is_ascii_digit()) => return Err(bad()),
        Some(p) => {
            let significant = p.trim_start_matches('0');
            if significant.len() > 5 {
                return Err(bad());
            }
            if p.is_empty() {
                None
            } else {
                let n: u32 = if significant.is_empty() { 0 } else { significant.parse().map_err(|_| bad())? };
                Some(u16::try_from(n).map_err(|_| format!("port {n} is above 65535"))?)
            }
        }
    };
    Ok((host, port))
}

/// urllib3's `_normalize_host` for http(s): no spaces or control characters;
/// numeric forms (`_IPV4_RE`) kept as they are; otherwise `%XX` of unreserved
/// characters decoded, and each dot-separated label lowercased, or IDNA-encoded
/// when it is not ASCII (`idna2008.rs`; an ASCII label is never checked there).
fn normalize_name(host: &str) -> Result<String, Refused> {
    if host.chars().any(|c| c <= ' ' || c == '\x7f') {
        return Err(format!("the host {host:?} has a space or a control character"));
    }
    if is_urllib3_ipv4(host) {
        return Ok(host.to_string());
    }
    let mut decoded = String::with_capacity(host.len());
    let mut rest = host;
    while let Some(at) = rest.find('%') {
        decoded.push_str(&rest[..at]);
        let hex = rest.get(at + 1..at + 3).ok_or_else(|| format!("{host:?} is not a valid host"))?;
        let byte = u8::from_str_radix(hex, 16).map_err(|_| format!("{host:?} is not a valid host"))?;
        if byte < 0x20 || byte == 0x7f {
            return Err(format!("the host {host:?} has a percent-encoded control character"));
        }
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-' | b'~') {
            decoded.push(byte as char);
        } else {
            decoded.push('%');
            decoded.push_str(&hex.to_ascii_uppercase());
        }
        rest = &rest[at + 3..];
    }
    decoded.push_str(rest);
    let mut out = String::with_capacity(decoded.len());
    for (i, label) in decoded.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_ascii() {
            // `name.lower()`, then every `%xx` back to `%XX`.
            let b = label.as_bytes();
            out.extend(b.iter().enumerate().map(|(i, &c)| {
                let escape = b[i.saturating_sub(2)..i].contains(&b'%');
                char::from(if escape { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
            }));
        } else {
            // `idna.encode(label.lower(), strict=True, std3_rules=True)`.
            let encoded = idna2008::encode_label(label).map_err(|why| format!("urllib3 refuses the host label {label:?} (IDNA 2008): {why}"))?;
            out.push_str(&encoded);
        }
    }
    Ok(out)
}

/// `^(?:0[xX][0-9a-fA-F]+|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]+|[0-9]+)){0,3}$`
fn is_urllib3_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() <= 4
        && parts.iter().all(|p| match p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            Some(hex) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            None => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()),
        })
}

/// Python encodes the host with its `idna` codec before resolving: an ASCII
/// name with an empty or over-long label raises (`label empty or too long`).
fn python_idna_codec_check(host: &str) -> Result<(), Refused> {
    let labels: Vec<&str> = host.split('.').collect();
    let (last, init) = labels.split_last().expect("split yields one item at least");
    if init.iter().any(|l| l.is_empty() || l.len() > 63) || last.len() > 63 {
        return Err(format!("Python's idna codec refuses {host:?} (label empty or too long)"));
    }
    Ok(())
}

/// glibc's `inet_aton` as `getaddrinfo` uses it (`__inet_aton_exact`): one to
/// four parts, each decimal, octal (leading 0) or hex (0x); the last part fills
/// the remaining bytes; nothing may follow.
pub fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    let mut parts = [0u32; 3];
    let mut n = 0;
    let mut i = 0;
    loop {
        if !b.get(i)?.is_ascii_digit() {
            return None;
        }
        let mut base = 10;
        let mut digits = 0;
        if b[i] == b'0' {
            i += 1;
            if matches!(b.get(i), Some(b'x' | b'X')) {
                base = 16;
                i += 1;
            } else {
                base = 8;
                digits = 1;
            }
        }
        let mut val: u64 = 0;
        while let Some(&c) = b.get(i) {
            let d = match c {
                b'0'..=b'9' if base == 8 && c >= b'8' => return None,
                b'0'..=b'9' => u64::from(c - b'0'),
                b'a'..=b'f' | b'A'..=b'F' if base == 16 => u64::from((c | 0x20) - b'a' + 10),
                _ => break,
            };
            val = val * base + d;
            if val > u64::from(u32::MAX) {
                return None;
            }
            digits += 1;
            i += 1;
        }
        if digits == 0 {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            if n == 3 || val > 0xff {
                return None;
            }
            parts[n] = val as u32;
            n += 1;
            i += 1;
        } else {
            if i != b.len() || val > u64::from(u32::MAX >> (8 * n)) {
                return None;
            }
            let high = parts[..n].iter().enumerate().fold(0u32, |acc, (k, &p)| acc | (p << (24 - 8 * k)));
            return Some(Ipv4Addr::from(high | val as u32));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_forms() {
        for (s, ip) in [
            ("127.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("127.1", "127.0.0.1"),
            ("0177.0.0.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("0", "0.0.0.0"), ("1.2.3", "1.2.0.3"),
            ("0xffffffff", "255.255.255.255"), ("017777777777", "127.255.255.255"), ("0X7F.0.0.01", "127.0.0.1"),
        ] {
            assert_eq!(inet_aton(s), Some(ip.parse().unwrap()), "{s}");
        }
        for s in ["0x", "0x.1", "127.0.0.1.", "08", "4294967296", "0x100000000", "1.16777216", "256.1.1.1", "1.2.3.4.5", "", ".1", "1..2", "a"] {
            assert_eq!(inet_aton(s), None, "{s}");
        }
    }

    fn host(url: &str) -> Result<Host, Refused> {
        target(url).map(|t| t.host)
    }

    #[test]
    fn urls_as_label_studio_reads_them() {
        let v4 = |s: &str| Ok(Host::V4(s.parse().unwrap()));
        assert_eq!(host("http://2130706433/"), v4("127.0.0.1"));
        assert_eq!(host("HTTP://0X7F.1:8080/x"), v4("127.0.0.1"));
        assert_eq!(host("http://LocalHost/"), Ok(Host::Name("localhost".into())));
        assert_eq!(host("http://u:p@1.1.1.1@8.8.8.8/"), v4("8.8.8.8"));
        assert_eq!(host("http://%31%32%37.0.0.1/"), v4("127.0.0.1"));
        assert_eq!(host("http://[::1]/"), Ok(Host::V6));
        assert_eq!(host("http://Example.COM./"), Ok(Host::Name("example.com.".into())));
        assert_eq!(host("http://bücher.example/"), Ok(Host::Name("xn--bcher-kva.example".into())));
        assert_eq!(host("http://BÜCHER.example/"), Ok(Host::Name("xn--bcher-kva.example".into())));
        assert_eq!(host("http://a\\@b/"), Ok(Host::Name("a".into())));
        for refused in [
            "ftp://x/", "x", "http:x", "http:///x", "http://", "http://@/", "http://:80/", "http://a b/", "http://a:b/",
            "http://a:65536/", "http://a:123456/", "http://127。0。0。1/", "http://①②⑦.0.0.1/", "http://ⓛocalhost/",
            "http://１２７.0.0.1/", "http://☃.net/", "http://a..b/", "http://.a/", "http://*.a/", "http://a%zz/",
            "http://a%00b/", "http://[::1/", "http://[zz]/",
        ] {
            assert!(host(refused).is_err(), "{refused}: {:?}", host(refused));
        }
        assert_eq!(target("http://a:0080/").unwrap().port, 80);
        assert_eq!(target("https://a/").unwrap().port, 443);
        assert_eq!(target("http://a:/").unwrap().port, 80);
    }
}
