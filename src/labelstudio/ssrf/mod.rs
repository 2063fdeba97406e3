//! Whether a webhook URL may be sent to, judged the way both ends of the
//! pipe read it: Label Studio 1.23.2 (urllib3 and `gethostbyname`, which
//! decide whether Label Studio sends) and the WHATWG URL parser (which decides
//! where the host's `fetch` connects). A target is delivered only when both
//! agree on where it goes and, with SSRF protection on, neither lands on a
//! reserved address. Host names stay unresolved here: the send-time guard
//! (`js/safe-fetch.js`) resolves them once and checks every address.

mod idna2008;
#[rustfmt::skip]
mod idna2008_tables;
pub mod labelstudio;
mod reserved;
pub mod whatwg;

pub use reserved::{reserved_block, reserved_block_of_text};

use crate::labelstudio::targets::SkipReason;
use std::net::{IpAddr, Ipv4Addr};

/// `Err` holds why the webhook is skipped.
pub fn check_url(url: &str, ssrf_protection: bool) -> Result<(), (SkipReason, String)> {
    let ls = labelstudio::target(url);
    let fetch = whatwg::target(url);

    if ssrf_protection {
        // Either reading landing on a reserved address is enough to refuse.
        if let Some(ip) = ls.as_ref().ok().and_then(|t| ls_address(&t.host)) {
            if let Some(block) = reserved_block(ip) {
                return Err(blocked(url, &format!("Label Studio resolves the host to {ip}"), block));
            }
        }
        if let Some(ip) = fetch.as_ref().ok().and_then(whatwg::Target::address) {
            if let Some(block) = reserved_block(ip) {
                return Err(blocked(url, &format!("fetch connects to {ip}"), block));
            }
        }
    }

    let invalid = |why: String| (SkipReason::InvalidUrl, format!("{url:?}: {why}"));
    let ls = ls.map_err(|why| invalid(format!("Label Studio does not send it: {why}")))?;
    if ls.host == labelstudio::Host::V6 {
        return Err((SkipReason::UnresolvableHost, format!("{url:?}: Label Studio resolves hosts with gethostbyname, which has no IPv6")));
    }
    let fetch = fetch.map_err(|why| invalid(format!("fetch cannot parse it ({why})")))?;
    if fetch.port == 0 {
        return Err(invalid("port 0 is not a valid target".into()));
    }
    if !same_host(&ls.host, &fetch.host) || ls.port != fetch.port || ls.https != fetch.https {
        let scheme = |https: bool| if https { "https" } else { "http" };
        return Err(invalid(format!(
            "Label Studio would send to {}://{}:{}, fetch to {}://{}:{}",
            scheme(ls.https),
            ls_host_text(&ls.host),
            ls.port,
            scheme(fetch.https),
            fetch.host,
            fetch.port
        )));
    }
    Ok(())
}

fn blocked(url: &str, how: &str, block: &str) -> (SkipReason, String) {
    (SkipReason::SsrfBlocked, format!("{url:?}: {how}, a reserved network address (block: {block})"))
}

/// `localhost` (with or without the root dot), which resolves through
/// `/etc/hosts` on every standard system, for Label Studio and for Node alike.
fn is_localhost(name: &str) -> bool {
    name.strip_suffix('.').unwrap_or(name) == "localhost"
}

/// The address Label Studio reaches without DNS.
fn ls_address(host: &labelstudio::Host) -> Option<IpAddr> {
    match host {
        labelstudio::Host::V4(ip) => Some((*ip).into()),
        labelstudio::Host::Name(name) if is_localhost(name) => Some(Ipv4Addr::LOCALHOST.into()),
        _ => None,
    }
}

fn ls_host_text(host: &labelstudio::Host) -> String {
    match host {
        labelstudio::Host::V4(ip) => ip.to_string(),
        labelstudio::Host::V6 => "[IPv6]".into(),
        labelstudio::Host::Name(name) => name.clone(),
    }
}

fn same_host(ls: &labelstudio::Host, fetch: &whatwg::Host) -> bool {
    match (ls, fetch) {
        (labelstudio::Host::V4(a), whatwg::Host::Ipv4(b)) => a == b,
        (labelstudio::Host::Name(a), whatwg::Host::Domain(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(url: &str, ssrf: bool) -> Option<SkipReason> {
        check_url(url, ssrf).err().map(|e| e.0)
    }

    #[test]
    fn the_bypasses_of_issue_11_are_blocked() {
        for url in [
            "http://127.0.0.1/", "http://2130706433/", "http://0x7f000001/", "http://127.1/", "http://0177.0.0.1/",
            "http://0x7f.1/", "http://0/", "http://127。0。0。1/", "http://①②⑦.0.0.1/", "http://ⓛocalhost/",
            "http://localhost./", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://127.0.0.1./", "http://0x7f.1./",
            "http://%31%32%37.0.0.1/", "http://１２７.0.0.1/", "http://169.254.169.254/latest/meta-data/",
        ] {
            assert_eq!(verdict(url, true), Some(SkipReason::SsrfBlocked), "{url}: {:?}", check_url(url, true));
        }
    }

    #[test]
    fn public_literals_and_names_are_delivered() {
        for url in ["http://1.1.1.1/", "https://93.184.215.14:8443/x", "http://example.com/", "http://u:p@example.com/",
            "http://bücher.example/", "http://EXAMPLE.com./", "http://a:0080/", "http://a:/x"] {
            assert_eq!(verdict(url, true), None, "{url}: {:?}", check_url(url, true));
        }
    }

    #[test]
    fn disagreements_and_unsendable_urls() {
        // fetch reads a trailing-dot number as an IPv4 literal; Label Studio asks DNS for the name.
        assert_eq!(verdict("http://1.1.1.1./", true), Some(SkipReason::InvalidUrl));
        // Label Studio refuses what IDNA 2008 refuses; fetch maps it (to a public name here).
        assert_eq!(verdict("http://ｅｘａｍｐｌｅ.com/", true), Some(SkipReason::InvalidUrl));
        assert_eq!(verdict("http://☃.net/", true), Some(SkipReason::InvalidUrl));
        assert_eq!(verdict("http://a:0/", false), Some(SkipReason::InvalidUrl));
        assert_eq!(verdict("http://a:65536/", false), Some(SkipReason::InvalidUrl));
        assert_eq!(verdict("http://[2606:4700::1111]/", true), Some(SkipReason::UnresolvableHost));
        // With protection off, loopback is sent, as Label Studio would.
        assert_eq!(verdict("http://127.0.0.1:9/", false), None);
        assert_eq!(verdict("http://localhost:9/", false), None);
        assert_eq!(verdict("http://2130706433:9/", false), None);
    }
}
