//! The client's address behind reverse proxies. `Forwarded` (RFC 7239) and `X-Forwarded-For`
//! are believed only when the connection comes from a configured trusted proxy; anyone else
//! could write whatever they like in them and escape every per-address limit.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// `PORTCULLIS_TRUSTED_PROXIES`: comma-separated CIDRs or single addresses.
pub fn parse_trusted(value: &str) -> Result<Vec<IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{part}` is not a CIDR (such as 10.0.0.0/8) or an address"))
        })
        .collect()
}

/// The address of the client: the peer's, unless the peer is a trusted proxy, in which case
/// the nearest address in the forwarding chain that is not itself a trusted proxy.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: &IpAddr| trusted.iter().any(|net| net.contains(address));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    // From the nearest hop outwards; an entry that cannot be read ends the walk, keeping the
    // last address a trusted proxy vouched for.
    for hop in forwarded_chain(headers).iter().rev() {
        let Some(address) = hop else { break };
        client = *address;
        if !is_trusted(address) {
            break;
        }
    }
    client
}

/// The `for` addresses of `Forwarded`, or else of `X-Forwarded-For`, client first. `None`
/// for an entry that is not an address (`unknown`, obfuscated identifiers).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name| headers.get_all(name).into_iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim().eq_ignore_ascii_case("for").then(|| node_address(value.trim()))
                })
            })
            .collect();
    }
    values("x-forwarded-for").iter().flat_map(|value| value.split(',')).map(|v| node_address(v.trim())).collect()
}

/// `192.0.2.43`, `"192.0.2.43:47011"`, `"[2001:db8:cafe::17]:4711"` or a bare IPv6 address.
fn node_address(value: &str) -> Option<IpAddr> {
    let value = value.trim_matches('"');
    if let Ok(address) = value.parse() {
        return Some(address);
    }
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    value.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn ip(value: &str) -> IpAddr {
        value.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let trusted = parse_trusted("10.0.0.0/8, 192.0.2.1").unwrap();
        let forged = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_address(ip("198.51.100.7"), &forged, &trusted), ip("198.51.100.7"));
        assert_eq!(client_address(ip("10.1.2.3"), &forged, &trusted), ip("203.0.113.9"));
        assert_eq!(client_address(ip("10.1.2.3"), &forged, &[]), ip("10.1.2.3"), "nothing trusted by default");
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let trusted = parse_trusted("10.0.0.0/8,192.0.2.1").unwrap();
        // The client wrote a fake first entry; the proxies appended what they saw.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(client_address(ip("192.0.2.1"), &chain, &trusted), ip("203.0.113.9"));
        let rfc = headers(&[("forwarded", "for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.5")]);
        assert_eq!(client_address(ip("10.0.0.9"), &rfc, &trusted), ip("2001:db8:cafe::17"));
        let port = headers(&[("forwarded", "For=\"198.51.100.4:47011\"")]);
        assert_eq!(client_address(ip("10.0.0.9"), &port, &trusted), ip("198.51.100.4"));
        let hidden = headers(&[("forwarded", "for=unknown, for=10.0.0.5")]);
        assert_eq!(client_address(ip("10.0.0.9"), &hidden, &trusted), ip("10.0.0.5"), "stops at what it cannot read");
        assert_eq!(client_address(ip("10.0.0.9"), &HeaderMap::new(), &trusted), ip("10.0.0.9"));
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses() {
        assert_eq!(parse_trusted("").unwrap(), vec![]);
        assert_eq!(parse_trusted("127.0.0.1, ::1/128").unwrap().len(), 2);
        assert!(parse_trusted("10.0.0.0/33").unwrap_err().contains("10.0.0.0/33"));
        assert!(parse_trusted("proxy.example").is_err());
    }
}
