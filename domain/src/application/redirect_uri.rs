//! Redirect URIs and other URLs an application gives. Redirect URIs are later compared by
//! exact string, so they are checked as typed and never normalised.

use std::net::IpAddr;
use url::{Host, Url};

pub const MAX_URL_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("Enter a full address, starting with https://.")]
    NotAbsolute,
    #[error("Use https (http is allowed only for loopback addresses such as http://127.0.0.1).")]
    NotHttps,
    #[error("Remove the #fragment: redirects cannot carry one.")]
    Fragment,
    #[error("Wildcards (*) are not allowed; list every address exactly.")]
    Wildcard,
    #[error("Remove the user name or password from the address.")]
    UserInfo,
    #[error("Use at most 2048 characters.")]
    TooLong,
    #[error("Remove spaces and control characters.")]
    Whitespace,
}

fn parse(raw: &str) -> Result<Url, UrlError> {
    if raw.len() > MAX_URL_LEN {
        return Err(UrlError::TooLong);
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlError::Whitespace);
    }
    let url = Url::parse(raw).map_err(|_| UrlError::NotAbsolute)?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(UrlError::NotAbsolute);
    }
    if !url.username().is_empty() || url.password().is_some() || raw.contains('@') && has_userinfo(raw) {
        return Err(UrlError::UserInfo);
    }
    Ok(url)
}

/// `user@` before the host, even when empty (`https://@host`), which `Url` drops.
fn has_userinfo(raw: &str) -> bool {
    let after_scheme = raw.split_once("://").map(|(_, rest)| rest).unwrap_or(raw);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or_default();
    authority.contains('@')
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Absolute https, no fragment, no wildcard, no user info; `http` only for loopback hosts.
pub fn check_redirect_uri(raw: &str) -> Result<(), UrlError> {
    if raw.contains('*') {
        return Err(UrlError::Wildcard);
    }
    if raw.contains('#') {
        return Err(UrlError::Fragment);
    }
    let url = parse(raw)?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        _ => Err(UrlError::NotHttps),
    }
}

/// A web page of the app (website, privacy policy): absolute https without user info.
pub fn check_https_url(raw: &str) -> Result<(), UrlError> {
    let url = parse(raw)?;
    if url.scheme() == "https" { Ok(()) } else { Err(UrlError::NotHttps) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_redirect_uris() {
        for uri in [
            "https://app.example.com/oauth/callback",
            "https://app.example.com:8443/cb?tenant=7",
            "http://127.0.0.1:8080/cb",
            "http://127.1.2.3/cb",
            "http://[::1]/cb",
            "http://localhost:3000/cb",
            "https://xn--bcher-kva.example/cb",
        ] {
            assert_eq!(check_redirect_uri(uri), Ok(()), "{uri}");
        }
    }

    #[test]
    fn bad_redirect_uris() {
        for (uri, error) in [
            ("http://app.example.com/cb", UrlError::NotHttps),
            ("http://localhost.evil.com/cb", UrlError::NotHttps),
            ("http://127.0.0.1.evil.com/cb", UrlError::NotHttps),
            ("https://*.example.com/cb", UrlError::Wildcard),
            ("https://app.example.com/cb*", UrlError::Wildcard),
            ("https://app.example.com/cb#frag", UrlError::Fragment),
            ("https://app.example.com/cb#", UrlError::Fragment),
            ("https://user@app.example.com/cb", UrlError::UserInfo),
            ("https://user:pw@app.example.com/cb", UrlError::UserInfo),
            ("https://@app.example.com/cb", UrlError::UserInfo),
            ("javascript:alert(1)", UrlError::NotAbsolute),
            ("/relative/cb", UrlError::NotAbsolute),
            ("app.example.com/cb", UrlError::NotAbsolute),
            ("ftp://app.example.com/cb", UrlError::NotHttps),
            ("https://app.example.com/c b", UrlError::Whitespace),
            ("https://app.example.com/cb\n", UrlError::Whitespace),
            ("", UrlError::NotAbsolute),
        ] {
            assert_eq!(check_redirect_uri(uri), Err(error), "{uri:?}");
        }
        let long = format!("https://app.example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(check_redirect_uri(&long), Err(UrlError::TooLong));
    }

    #[test]
    fn web_pages_need_https() {
        assert_eq!(check_https_url("https://app.example.com/privacy"), Ok(()));
        assert_eq!(check_https_url("http://app.example.com/privacy"), Err(UrlError::NotHttps));
        assert_eq!(check_https_url("http://localhost/privacy"), Err(UrlError::NotHttps));
        assert_eq!(check_https_url("privacy.html"), Err(UrlError::NotAbsolute));
    }
}
