//! Where `fetch` would connect: the WHATWG URL Standard, which Node's `fetch`
//! (undici), every browser and the `url` crate implement. It reads more than
//! urllib3 does: IPv4 number forms with a trailing dot, UTS 46 mapping of
//! non-ASCII hosts (full-width digits, circled letters, ideographic full
//! stops), percent-encoded hosts, `\` as `/`.
//!
//! Natively the `url` crate reads URLs. In WebAssembly the JS host's own `URL`
//! does (see `crate::host`): it is the parser that host's `fetch` uses, and
//! leaving `url` (with its UTS 46 and normalization data) out of the module
//! keeps the browser's build small.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A URL's host as the WHATWG parser serializes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    /// ASCII, lowercase, IDNA applied.
    Domain(String),
}

impl Host {
    /// From a serialized host (`URL.hostname`): `[v6]`, dotted IPv4 (the only
    /// form the parser emits for an IPv4 host: a domain can never look like
    /// one, as the standard reads every such name as IPv4), or a domain.
    pub fn from_serialized(host: &str) -> Result<Host, String> {
        if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            return v6.parse().map(Host::Ipv6).map_err(|_| format!("{host:?} is not an IPv6 address"));
        }
        Ok(host.parse().map(Host::Ipv4).unwrap_or_else(|_| Host::Domain(host.to_owned())))
    }
}

impl fmt::Display for Host {
    /// As a person would read it (IPv6 in brackets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ipv4(ip) => write!(f, "{ip}"),
            // Rust writes IPv4-mapped addresses dotted; the standard does not.
            Host::Ipv6(ip) => match ip.to_ipv4_mapped() {
                Some(_) => write!(f, "[::ffff:{:x}:{:x}]", ip.segments()[6], ip.segments()[7]),
                None => write!(f, "[{ip}]"),
            },
            Host::Domain(name) => f.write_str(name),
        }
    }
}

/// A URL as `fetch` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: Host,
    pub port: u16,
}

pub fn target(url: &str) -> Result<Target, String> {
    let (scheme, host, port) = crate::host::parse_url(url)?;
    let (https, default_port) = match scheme.as_str() {
        "http" => (false, 80),
        "https" => (true, 443),
        other => return Err(format!("the scheme is {other:?}")),
    };
    let host = Host::from_serialized(host.as_deref().filter(|h| !h.is_empty()).ok_or("no host")?)?;
    Ok(Target { https, host, port: port.unwrap_or(default_port) })
}

impl Target {
    /// The address `fetch` reaches without DNS: a literal, or `localhost`,
    /// which every standard `/etc/hosts` maps to loopback.
    pub fn address(&self) -> Option<IpAddr> {
        match &self.host {
            Host::Ipv4(ip) => Some((*ip).into()),
            Host::Ipv6(ip) => Some((*ip).into()),
            Host::Domain(name) => super::is_localhost(name).then_some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn serialized_hosts() {
        assert_eq!(Host::from_serialized("[::1]"), Ok(Host::Ipv6(Ipv6Addr::LOCALHOST)));
        assert_eq!(Host::from_serialized("127.0.0.1"), Ok(Host::Ipv4(Ipv4Addr::LOCALHOST)));
        assert_eq!(Host::from_serialized("xn--bcher-kva.example"), Ok(Host::Domain("xn--bcher-kva.example".into())));
        assert_eq!(target("http://[::ffff:127.0.0.1]:8/").unwrap().host.to_string(), "[::ffff:7f00:1]");
        assert_eq!(target("https://0x7f.1./").unwrap(), Target { https: true, host: Host::Ipv4(Ipv4Addr::LOCALHOST), port: 443 });
    }
}
