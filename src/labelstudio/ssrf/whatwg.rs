//! Where `fetch` would connect: the WHATWG URL Standard, which Node's `fetch`
//! (undici), every browser and the `url` crate implement. It reads more than
//! urllib3 does: IPv4 number forms with a trailing dot, UTS 46 mapping of
//! non-ASCII hosts (full-width digits, circled letters, ideographic full
//! stops), percent-encoded hosts, `\` as `/`.

use std::net::IpAddr;
use url::{Host, Url};

/// A URL as `fetch` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: Host<String>,
    pub port: u16,
}

pub fn target(url: &str) -> Result<Target, String> {
    let parsed = Url::parse(url).map_err(|e| e.to_string())?;
    let https = match parsed.scheme() {
        "http" => false,
        "https" => true,
        other => return Err(format!("the scheme is {other:?}")),
    };
    let host = parsed.host().ok_or("no host")?.to_owned();
    let port = parsed.port_or_known_default().ok_or("no port")?;
    Ok(Target { https, host, port })
}

impl Target {
    /// The address `fetch` reaches without DNS: a literal, or `localhost`,
    /// which every standard `/etc/hosts` maps to loopback.
    pub fn address(&self) -> Option<IpAddr> {
        match &self.host {
            Host::Ipv4(ip) => Some((*ip).into()),
            Host::Ipv6(ip) => Some((*ip).into()),
            Host::Domain(name) => super::is_localhost(name).then_some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
        }
    }

    /// The host as it would appear to a person (IPv6 in brackets).
    pub fn host_text(&self) -> String {
        self.host.to_string()
    }
}
