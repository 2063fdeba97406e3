//! The networks Label Studio 1.23.2 refuses to send to: `validate_ip`'s
//! default banned subnets (`core/utils/io.py`), in its order. One table for
//! the plan's checks and for the send-time guard in JavaScript
//! (`reservedBlock`), so the rule lives in one place.

use std::net::{AddrParseError, IpAddr, Ipv4Addr, Ipv6Addr};

/// `(block as Label Studio names it, network, prefix length)`.
const BANNED: [(&str, IpAddr, u8); 31] = [
    ("0.0.0.0/8", v4(0, 0, 0, 0), 8),
    ("10.0.0.0/8", v4(10, 0, 0, 0), 8),
    ("100.64.0.0/10", v4(100, 64, 0, 0), 10),
    ("127.0.0.0/8", v4(127, 0, 0, 0), 8),
    ("169.254.0.0/16", v4(169, 254, 0, 0), 16),
    ("172.16.0.0/12", v4(172, 16, 0, 0), 12),
    ("192.0.0.0/24", v4(192, 0, 0, 0), 24),
    ("192.0.2.0/24", v4(192, 0, 2, 0), 24),
    ("192.88.99.0/24", v4(192, 88, 99, 0), 24),
    ("192.168.0.0/16", v4(192, 168, 0, 0), 16),
    ("198.18.0.0/15", v4(198, 18, 0, 0), 15),
    ("198.51.100.0/24", v4(198, 51, 100, 0), 24),
    ("203.0.113.0/24", v4(203, 0, 113, 0), 24),
    ("224.0.0.0/4", v4(224, 0, 0, 0), 4),
    ("233.252.0.0/24", v4(233, 252, 0, 0), 24),
    ("240.0.0.0/4", v4(240, 0, 0, 0), 4),
    ("255.255.255.255/32", v4(255, 255, 255, 255), 32),
    ("::/128", v6([0, 0, 0, 0, 0, 0, 0, 0]), 128),
    ("::1/128", v6([0, 0, 0, 0, 0, 0, 0, 1]), 128),
    ("::ffff:0:0/96", v6([0, 0, 0, 0, 0, 0xffff, 0, 0]), 96),
    ("::ffff:0:0:0/96", v6([0, 0, 0, 0, 0xffff, 0, 0, 0]), 96),
    ("64:ff9b::/96", v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0]), 96),
    ("64:ff9b:1::/48", v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0]), 48),
    ("100::/64", v6([0x100, 0, 0, 0, 0, 0, 0, 0]), 64),
    ("2001:0000::/32", v6([0x2001, 0, 0, 0, 0, 0, 0, 0]), 32),
    ("2001:20::/28", v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0]), 28),
    ("2001:db8::/32", v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]), 32),
    ("2002::/16", v6([0x2002, 0, 0, 0, 0, 0, 0, 0]), 16),
    ("fc00::/7", v6([0xfc00, 0, 0, 0, 0, 0, 0, 0]), 7),
    ("fe80::/10", v6([0xfe80, 0, 0, 0, 0, 0, 0, 0]), 10),
    ("ff00::/8", v6([0xff00, 0, 0, 0, 0, 0, 0, 0]), 8),
];

const fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

const fn v6(s: [u16; 8]) -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]))
}

/// The banned block `ip` is in, named as Label Studio's message names it.
/// As in Python's `ipaddress`, an IPv4 address is never inside an IPv6
/// network (`::ffff:127.0.0.1` is caught by `::ffff:0:0/96` instead).
pub fn reserved_block(ip: IpAddr) -> Option<&'static str> {
    BANNED.iter().find_map(|&(name, net, bits)| {
        let inside = match (ip, net) {
            (IpAddr::V4(a), IpAddr::V4(n)) => same_prefix(u32::from(a).into(), u32::from(n).into(), 32, bits),
            (IpAddr::V6(a), IpAddr::V6(n)) => same_prefix(u128::from(a), u128::from(n), 128, bits),
            _ => false,
        };
        inside.then_some(name)
    })
}

/// An address as text (IPv4 dotted quad, or IPv6 with an optional `%zone`, as
/// `getaddrinfo` gives them): its banned block, or `Err` if it is not an address.
pub fn reserved_block_of_text(address: &str) -> Result<Option<&'static str>, AddrParseError> {
    let bare = address.split_once('%').map_or(address, |(a, _)| a);
    Ok(reserved_block(bare.parse::<IpAddr>()?))
}

fn same_prefix(a: u128, n: u128, width: u32, bits: u8) -> bool {
    let shift = width - u32::from(bits);
    shift >= width || (a >> shift) == (n >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(s: &str) -> Option<&'static str> {
        reserved_block_of_text(s).unwrap()
    }

    #[test]
    fn every_block_holds_its_network_and_its_edges() {
        // Label Studio names the first block in its list that holds the address
        // (233.252.0.0/24 sits inside 224.0.0.0/4), so the answer is at or before `name`.
        let position = |block: Option<&str>| BANNED.iter().position(|b| Some(b.0) == block);
        for (i, (name, net, bits)) in BANNED.into_iter().enumerate() {
            assert!(position(reserved_block(net)).is_some_and(|p| p <= i), "{name}");
            let last = match net {
                IpAddr::V4(a) => IpAddr::V4((u32::from(a) | u32::MAX.checked_shr(u32::from(bits)).unwrap_or(0)).into()),
                IpAddr::V6(a) => IpAddr::V6((u128::from(a) | u128::MAX.checked_shr(u32::from(bits)).unwrap_or(0)).into()),
            };
            assert!(position(reserved_block(last)).is_some_and(|p| p <= i), "{name}: {last}");
        }
    }

    #[test]
    fn public_and_edge_addresses() {
        for public in ["1.1.1.1", "8.8.8.8", "93.184.215.14", "172.32.0.1", "172.15.255.255", "100.128.0.0", "11.0.0.0",
            "198.20.0.0", "223.255.255.255", "2606:4700:4700::1111", "2001:4860:4860::8888", "::2", "fe7f::1", "fec0::1"] {
            assert_eq!(block(public), None, "{public}");
        }
        assert_eq!(block("127.255.255.255"), Some("127.0.0.0/8"));
        assert_eq!(block("233.252.0.1"), Some("224.0.0.0/4"));
        assert_eq!(block("::ffff:127.0.0.1"), Some("::ffff:0:0/96"));
        assert_eq!(block("::ffff:8.8.8.8"), Some("::ffff:0:0/96"));
        assert_eq!(block("fe80::1%eth0"), Some("fe80::/10"));
        assert_eq!(block("0.0.0.0"), Some("0.0.0.0/8"));
        assert_eq!(block("::"), Some("::/128"));
        assert!(reserved_block_of_text("localhost").is_err());
        assert!(reserved_block_of_text("127.1").is_err()); // not an address as getaddrinfo prints them
    }
}
