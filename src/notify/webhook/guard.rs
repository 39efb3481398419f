//! The guard against server-side request forgery: a webhook URL comes from
//! config, but where its name resolves can change, so alerts must never
//! reach loopback, private, link-local (cloud metadata) or otherwise
//! non-public addresses unless the channel says `allow_private = true`.
//!
//! Without a proxy the HTTP client resolves names through [`PublicOnly`],
//! so the address checked is the address connected to (no DNS rebinding
//! between check and connect). Through a proxy, which resolves the target
//! itself, the target's name is resolved and checked here before the
//! request is handed to the proxy.

use std::net::{IpAddr, SocketAddr};

use crate::notify::DeliveryError;

/// Whether an address is reachable on the public internet: not loopback,
/// private, link-local (which holds cloud metadata at 169.254.169.254),
/// carrier-grade NAT, unspecified, broadcast, multicast, documentation,
/// benchmarking (198.18.0.0/15), IETF protocol assignments (192.0.0.0/24)
/// or reserved (240.0.0.0/4). IPv6 forms that carry an IPv4 address are
/// judged by it (mapped, compatible, 6to4 2002::/16); NAT64 (64:ff9b::/96,
/// 64:ff9b:1::/48), whose gateway reaches whatever IPv4 address is inside,
/// and Teredo (2001::/32) are never public.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // IPv4-compatible (::a.b.c.d, deprecated): the IPv4 inside.
            if s[..6] == [0; 6] {
                let v4 = std::net::Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                );
                return !v6.is_loopback() && !v6.is_unspecified() && is_public(IpAddr::V4(v4));
            }
            // 6to4: 2002:AABB:CCDD::/48 carries A.B.C.D.
            if s[0] == 0x2002 {
                let v4 = std::net::Ipv4Addr::new(
                    (s[1] >> 8) as u8,
                    s[1] as u8,
                    (s[2] >> 8) as u8,
                    s[2] as u8,
                );
                return is_public(IpAddr::V4(v4));
            }
            let nat64 = s[0] == 0x64 && s[1] == 0xff9b && (s[2..6] == [0; 4] || s[2] == 1);
            let teredo = s[0] == 0x2001 && s[1] == 0;
            let documentation = s[0] == 0x2001 && s[1] == 0xdb8;
            let discard = s[..4] == [0x100, 0, 0, 0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                // Site-local (deprecated, still routed inside some sites).
                || (s[0] & 0xffc0) == 0xfec0
                || nat64
                || teredo
                || documentation
                || discard)
        }
    }
}

/// Why a target is refused.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{ip} is a loopback, private, link-local or metadata address; set allow_private = true on the channel to allow it")]
    Address { ip: IpAddr },
    #[error("{host} resolves only to loopback, private, link-local or metadata addresses; set allow_private = true on the channel to allow it")]
    Host { host: String },
    /// A name we cannot check is refused. The resolver's error is part of
    /// the message, not a source: the delivery error prints causes too
    /// (`error_chain`), and would print it twice.
    #[error("cannot resolve {host} to check that it is public: {error}")]
    Unresolved { host: String, error: std::io::Error },
}

/// Resolves `host` and keeps its public addresses; an error if there are
/// none (or it does not resolve: a name we cannot check is refused).
async fn public_addrs(host: &str, port: u16) -> Result<Vec<SocketAddr>, Refused> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| Refused::Unresolved {
            host: host.to_string(),
            error,
        })?
        .collect();
    let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
    if public.is_empty() {
        return Err(Refused::Host {
            host: host.to_string(),
        });
    }
    Ok(public)
}

/// Refuses a target on a non-public address, for a channel that does not
/// allow private targets. Through a proxy (`proxied`) the target's name is
/// resolved here, since the proxy would resolve it where we cannot check;
/// a refused address is permanent, a name that resolves badly may be
/// transient.
pub(super) async fn check_target(url: &url::Url, proxied: bool) -> Result<(), DeliveryError> {
    let refuse = |refused: Refused| DeliveryError::Permanent {
        message: format!("refused: {refused}"),
    };
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
            Err(refuse(Refused::Address { ip: IpAddr::V4(ip) }))
        }
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
            Err(refuse(Refused::Address { ip: IpAddr::V6(ip) }))
        }
        Some(url::Host::Domain(host)) if proxied => {
            let port = url.port_or_known_default().unwrap_or(443);
            public_addrs(host, port)
                .await
                .map(|_| ())
                .map_err(|refused| DeliveryError::Transient {
                    message: format!("refused: {refused}"),
                    retry_after: None,
                })
        }
        _ => Ok(()),
    }
}

/// Resolves host names and keeps only public addresses, so the address
/// checked is the address connected to (no DNS rebinding around the check).
#[derive(Debug)]
pub(super) struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let public = public_addrs(name.as_str(), 0).await?;
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            // Issue 16: ranges that reach private space or are not routed.
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "198.18.0.1",
            "198.19.255.255",
            "240.0.0.1",
            "255.255.255.255",
            "192.0.0.8",
            "::7f00:1",
            "::a9fe:a9fe",
            "2001:db8::1",
            "2001:0:4136:e378::1",
            "fec0::1",
            "100::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700::1111",
            "2002:808:808::1",
            "198.20.0.1",
            "192.0.1.1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
