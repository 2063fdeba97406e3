//! Who receives an event: `get_active_webhooks`, then the checks a request
//! goes through before it leaves Label Studio (URL and SSRF validation,
//! `requests`' header validation). A webhook that fails a check is skipped
//! with a reason; Label Studio logs the exception and goes on with the next.

use serde::Serialize;
use std::net::Ipv4Addr;

/// A configured webhook, in the shape of Label Studio's `/api/webhooks/`.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: i64,
    pub organization: i64,
    pub project: Option<i64>,
    pub url: String,
    pub send_payload: bool,
    pub send_for_all_actions: bool,
    /// Header name and value as given; values that are not strings are kept
    /// as `None` text so the check below can refuse them like `requests`.
    pub headers: Vec<(String, HeaderValue)>,
    pub is_active: bool,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HeaderValue {
    Str(String),
    /// JSON null: `requests` drops the header (`merge_setting` removes None).
    Null,
    /// A number, bool, list or object: `requests` raises InvalidHeader.
    NotAString(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SkipReason {
    /// Not an http(s) URL with a host (Label Studio's SSRF check refuses it).
    InvalidUrl,
    /// The host is an IPv6 literal: Label Studio resolves with
    /// `socket.gethostbyname`, which cannot, so the request never leaves.
    UnresolvableHost,
    /// `SSRF_PROTECTION_ENABLED` and the host is in a reserved range.
    SsrfBlocked,
    /// A header name or value that `requests`/`http.client` refuse.
    InvalidHeader,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::InvalidUrl => "INVALID_URL",
            SkipReason::UnresolvableHost => "UNRESOLVABLE_HOST",
            SkipReason::SsrfBlocked => "SSRF_BLOCKED",
            SkipReason::InvalidHeader => "INVALID_HEADER",
        }
    }
}

/// `get_active_webhooks(organization, project, action)`: the webhooks of the
/// organization that are for this project or for the whole organization,
/// active, and subscribed to the action. Each once, in the order given.
pub fn select<'w>(webhooks: &'w [Webhook], organization: i64, project: Option<i64>, action: &str) -> Vec<&'w Webhook> {
    let mut seen = Vec::new();
    webhooks
        .iter()
        .filter(|w| {
            w.organization == organization
                && (w.project.is_none() || w.project == project)
                && w.is_active
                && (w.send_for_all_actions || w.actions.iter().any(|a| a == action))
        })
        .filter(|w| {
            let first = !seen.contains(&w.id);
            seen.push(w.id);
            first
        })
        .collect()
}

/// Checks a webhook as the request would; `Ok` holds the headers to send.
pub fn check(webhook: &Webhook, ssrf_protection: bool) -> Result<Vec<(String, String)>, (SkipReason, String)> {
    check_url(&webhook.url, ssrf_protection)?;
    headers(&webhook.headers)
}

fn check_url(url: &str, ssrf_protection: bool) -> Result<(), (SkipReason, String)> {
    let invalid = |why: &str| (SkipReason::InvalidUrl, format!("{url:?}: {why}"));
    let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid("not an http(s) URL"))?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(invalid("only http and https URLs are sent"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        let (inside, after) = v6.split_once(']').ok_or_else(|| invalid("unclosed IPv6 literal"))?;
        check_port(after.strip_prefix(':'), url)?;
        return if inside.parse::<std::net::Ipv6Addr>().is_ok() {
            Err((SkipReason::UnresolvableHost, format!("{url:?}: Label Studio resolves hosts with gethostbyname, which has no IPv6")))
        } else {
            Err(invalid("bad IPv6 literal"))
        };
    } else {
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        };
        check_port(port, url)?;
        host
    };
    if host.is_empty() {
        return Err(invalid("no host"));
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("the host has spaces or control characters"));
    }
    if ssrf_protection {
        let lower = host.trim_end_matches('.').to_ascii_lowercase();
        if lower == "localhost" {
            return Err((SkipReason::SsrfBlocked, format!("{url:?}: localhost resolves to 127.0.0.1, a reserved address")));
        }
        if let Ok(ip) = lower.parse::<Ipv4Addr>() {
            if let Some(block) = banned_block(ip) {
                return Err((SkipReason::SsrfBlocked, format!("{url:?}: URL resolves to a reserved network address (block: {block})")));
            }
        }
    }
    Ok(())
}

fn check_port(port: Option<&str>, url: &str) -> Result<(), (SkipReason, String)> {
    match port {
        None | Some("") => Ok(()),
        Some(p) if p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= 65535) => Ok(()),
        Some(p) => Err((SkipReason::InvalidUrl, format!("{url:?}: bad port {p:?}"))),
    }
}

/// The IPv4 blocks of Label Studio's `validate_ip` default banned subnets
/// (`gethostbyname` only yields IPv4, so the IPv6 blocks never apply).
const BANNED_V4: [(&str, [u8; 4], u8); 17] = [
    ("0.0.0.0/8", [0, 0, 0, 0], 8),
    ("10.0.0.0/8", [10, 0, 0, 0], 8),
    ("100.64.0.0/10", [100, 64, 0, 0], 10),
    ("127.0.0.0/8", [127, 0, 0, 0], 8),
    ("169.254.0.0/16", [169, 254, 0, 0], 16),
    ("172.16.0.0/12", [172, 16, 0, 0], 12),
    ("192.0.0.0/24", [192, 0, 0, 0], 24),
    ("192.0.2.0/24", [192, 0, 2, 0], 24),
    ("192.88.99.0/24", [192, 88, 99, 0], 24),
    ("192.168.0.0/16", [192, 168, 0, 0], 16),
    ("198.18.0.0/15", [198, 18, 0, 0], 15),
    ("198.51.100.0/24", [198, 51, 100, 0], 24),
    ("203.0.113.0/24", [203, 0, 113, 0], 24),
    ("224.0.0.0/4", [224, 0, 0, 0], 4),
    ("233.252.0.0/24", [233, 252, 0, 0], 24),
    ("240.0.0.0/4", [240, 0, 0, 0], 4),
    ("255.255.255.255/32", [255, 255, 255, 255], 32),
];

fn banned_block(ip: Ipv4Addr) -> Option<&'static str> {
    let ip = u32::from(ip);
    BANNED_V4.iter().find_map(|(name, net, bits)| {
        let mask = if *bits == 0 { 0 } else { u32::MAX << (32 - bits) };
        (ip & mask == u32::from_be_bytes(*net) & mask).then_some(*name)
    })
}

/// The headers `requests` would send from the webhook's own, plus
/// `Content-Type: application/json` unless the webhook sets one (any case).
/// Names merge case-insensitively like `CaseInsensitiveDict`: the first
/// position, the last name's case and value.
pub fn headers(given: &[(String, HeaderValue)]) -> Result<Vec<(String, String)>, (SkipReason, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(given.len() + 1);
    for (name, value) in given {
        let value = match value {
            HeaderValue::Null => {
                out.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                continue;
            }
            HeaderValue::NotAString(v) => {
                return Err((SkipReason::InvalidHeader, format!("header {name:?}: value {v} must be a string")));
            }
            HeaderValue::Str(v) => v,
        };
        let bad_name = name.is_empty()
            || !name.is_ascii()
            || name.starts_with(|c: char| c.is_whitespace())
            || name.contains([':', '\r', '\n']);
        if bad_name {
            return Err((SkipReason::InvalidHeader, format!("invalid header name {name:?}")));
        }
        if value.starts_with(char::is_whitespace) || value.contains(['\r', '\n']) {
            return Err((SkipReason::InvalidHeader, format!("header {name:?}: value has leading whitespace or a line break")));
        }
        if value.chars().any(|c| c as u32 > 0xff) {
            return Err((SkipReason::InvalidHeader, format!("header {name:?}: value is not latin-1 (http.client cannot encode it)")));
        }
        match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(slot) => *slot = (name.clone(), value.clone()),
            None => out.push((name.clone(), value.clone())),
        }
    }
    if !out.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
        out.push(("Content-Type".into(), "application/json".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(id: i64, project: Option<i64>) -> Webhook {
        Webhook {
            id,
            organization: 1,
            project,
            url: format!("http://example.com/{id}"),
            send_payload: true,
            send_for_all_actions: true,
            headers: vec![],
            is_active: true,
            actions: vec![],
        }
    }

    #[test]
    fn selects_like_get_active_webhooks() {
        let mut hooks = vec![hook(1, None), hook(2, Some(10)), hook(3, Some(11)), hook(4, None), hook(5, None), hook(1, None)];
        hooks[3].is_active = false;
        hooks[4].send_for_all_actions = false;
        hooks[4].actions = vec!["TASKS_CREATED".into()];
        let mut other = hook(6, None);
        other.organization = 2;
        hooks.push(other);
        let ids = |v: Vec<&Webhook>| v.iter().map(|w| w.id).collect::<Vec<_>>();
        assert_eq!(ids(select(&hooks, 1, Some(10), "TASKS_CREATED")), vec![1, 2, 5]);
        assert_eq!(ids(select(&hooks, 1, Some(10), "TASKS_DELETED")), vec![1, 2]);
        assert_eq!(ids(select(&hooks, 1, None, "TASKS_CREATED")), vec![1, 5]);
        assert_eq!(ids(select(&hooks, 2, None, "TASKS_CREATED")), vec![6]);
    }

    #[test]
    fn checks_urls() {
        for (url, ok) in [
            ("http://example.com/x", true), ("HTTPS://example.com:8443", true), ("https://u:p@example.com/", true),
            ("ftp://example.com", false), ("example.com", false), ("http://", false), ("http://:80/", false),
            ("http://example.com:99999/", false), ("http://[::1]:8080/", false), ("http://127.0.0.1:8080/", true),
        ] {
            assert_eq!(check_url(url, false).is_ok(), ok, "{url}");
        }
        for (url, reason) in [
            ("http://127.0.0.1:9/", SkipReason::SsrfBlocked), ("http://LOCALHOST/", SkipReason::SsrfBlocked),
            ("http://192.168.1.1/", SkipReason::SsrfBlocked), ("http://[::1]/", SkipReason::UnresolvableHost),
            ("http://255.255.255.255/", SkipReason::SsrfBlocked), ("http://172.31.0.1/", SkipReason::SsrfBlocked),
        ] {
            assert_eq!(check_url(url, true).unwrap_err().0, reason, "{url}");
        }
        assert!(check_url("http://8.8.8.8/", true).is_ok());
        assert!(check_url("http://172.32.0.1/", true).is_ok());
    }

    #[test]
    fn builds_headers_like_requests() {
        let s = |v: &str| HeaderValue::Str(v.into());
        let h = headers(&[("X-A".into(), s("1")), ("x-a".into(), s("2")), ("Drop".into(), s("x")), ("drop".into(), HeaderValue::Null)]).unwrap();
        assert_eq!(h, vec![("x-a".into(), "2".into()), ("Content-Type".into(), "application/json".into())]);
        let h = headers(&[("content-TYPE".into(), s("text/plain")), ("É".into(), s("x"))]);
        assert_eq!(h.unwrap_err().0, SkipReason::InvalidHeader);
        let h = headers(&[("content-TYPE".into(), s("text/plain; charset=é"))]).unwrap();
        assert_eq!(h, vec![("content-TYPE".into(), "text/plain; charset=é".into())]);
        for bad in [s("a\r\nb"), s(" lead"), s("€"), HeaderValue::NotAString("1".into())] {
            assert!(headers(&[("X".into(), bad)]).is_err());
        }
        assert!(headers(&[("Bad Name:".into(), s("x"))]).is_err());
    }
}
