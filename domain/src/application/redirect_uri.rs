//! Redirect URIs and other URLs an application gives. Redirect URIs are later compared by
//! exact string, so they are checked as typed and never normalised.

use std::net::IpAddr;
use url::{Host, Url};

pub const MAX_URL_LEN: usize = 2048;

/// Why a redirect URI or web address is refused; the messages are shown beside the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectUriError {
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
    #[error("Use forward slashes (/) only.")]
    Backslash,
}

/// Checks shared by every URL. Browsers repair sloppy input (`https:host`, `\` for `/`, a
/// bare `@`), and other parsers repair it differently; refusing it keeps everyone reading
/// the same host.
fn parse(raw: &str) -> Result<Url, RedirectUriError> {
    if raw.len() > MAX_URL_LEN {
        return Err(RedirectUriError::TooLong);
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(RedirectUriError::Whitespace);
    }
    if raw.contains('\\') {
        return Err(RedirectUriError::Backslash);
    }
    let (scheme, rest) = raw.split_once("://").ok_or(RedirectUriError::NotAbsolute)?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(RedirectUriError::NotAbsolute);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(RedirectUriError::NotAbsolute);
    }
    if authority.contains('@') {
        return Err(RedirectUriError::UserInfo);
    }
    let url = Url::parse(raw).map_err(|_| RedirectUriError::NotAbsolute)?;
    if url.host().is_none() {
        return Err(RedirectUriError::NotAbsolute);
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Absolute https, no fragment, no wildcard, no user info; `http` only for loopback hosts
/// (native apps receive their redirect on the device itself, RFC 8252).
pub fn check_redirect_uri(raw: &str) -> Result<(), RedirectUriError> {
    if raw.contains('*') {
        return Err(RedirectUriError::Wildcard);
    }
    if raw.contains('#') {
        return Err(RedirectUriError::Fragment);
    }
    let url = parse(raw)?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        _ => Err(RedirectUriError::NotHttps),
    }
}

/// A web page of the app (website, privacy policy): absolute https with a host and without
/// user info.
pub fn check_https_url(raw: &str) -> Result<(), RedirectUriError> {
    let url = parse(raw)?;
    if url.scheme() == "https" { Ok(()) } else { Err(RedirectUriError::NotHttps) }
}

#[cfg(test)]
mod tests {
    use super::RedirectUriError::*;
    use super::*;

    #[test]
    fn good_redirect_uris() {
        for uri in [
            "https://app.example.com/oauth/callback",
            "https://app.example.com",
            "https://app.example.com:8443/cb?tenant=7",
            "https://app.example.com/cb?next=%2Fhome",
            "HTTPS://App.Example.com/CB",
            "http://127.0.0.1:8080/cb",
            "http://127.1.2.3/cb",
            "http://[::1]/cb",
            "http://[::1]:8080/cb",
            "http://localhost:3000/cb",
            "http://LOCALHOST/cb",
            "https://xn--bcher-kva.example/cb",
            "https://bücher.example/cb",
            "https://192.0.2.10/cb",
            "https://app.example.com?from=@someone",
        ] {
            assert_eq!(check_redirect_uri(uri), Ok(()), "{uri}");
        }
    }

    #[test]
    fn bad_redirect_uris() {
        for (uri, error) in [
            ("http://app.example.com/cb", NotHttps),
            ("http://localhost.evil.com/cb", NotHttps),
            ("http://evil.com/localhost", NotHttps),
            ("http://127.0.0.1.evil.com/cb", NotHttps),
            ("http://[::ffff:8.8.8.8]/cb", NotHttps),
            ("http://192.168.1.10/cb", NotHttps),
            ("https://*.example.com/cb", Wildcard),
            ("https://app.example.com/cb*", Wildcard),
            ("https://app.example.com/cb?x=*", Wildcard),
            ("https://app.example.com/cb#frag", Fragment),
            ("https://app.example.com/cb#", Fragment),
            ("https://user@app.example.com/cb", UserInfo),
            ("https://user:pw@app.example.com/cb", UserInfo),
            ("https://@app.example.com/cb", UserInfo),
            ("http://localhost:80@evil.com/cb", UserInfo),
            ("javascript:alert(1)", NotAbsolute),
            ("javascript://%0aalert(1)", NotHttps),
            ("data:text/html,<script>alert(1)</script>", NotAbsolute),
            ("/relative/cb", NotAbsolute),
            ("//app.example.com/cb", NotAbsolute),
            ("app.example.com/cb", NotAbsolute),
            ("https:app.example.com/cb", NotAbsolute),
            ("https:/app.example.com/cb", NotAbsolute),
            ("https:///cb", NotAbsolute),
            ("https://", NotAbsolute),
            ("https://app.example.com:99999/cb", NotAbsolute),
            ("1https://app.example.com/cb", NotAbsolute),
            ("https://app.example.com\\@evil.com/cb", Backslash),
            ("https:\\\\app.example.com/cb", Backslash),
            ("ftp://app.example.com/cb", NotHttps),
            ("com.example.app://callback", NotHttps),
            ("https://app.example.com/c b", Whitespace),
            (" https://app.example.com/cb", Whitespace),
            ("https://app.example.com/cb\n", Whitespace),
            ("https://app.example.com/cb\u{0}", Whitespace),
            ("https://app.example.com/\u{a0}cb", Whitespace),
            ("", NotAbsolute),
        ] {
            assert_eq!(check_redirect_uri(uri), Err(error), "{uri:?}");
        }
    }

    #[test]
    fn redirect_uris_have_a_length_limit() {
        let at_limit = format!("https://app.example.com/{}", "a".repeat(MAX_URL_LEN - 24));
        assert_eq!(at_limit.len(), MAX_URL_LEN);
        assert_eq!(check_redirect_uri(&at_limit), Ok(()));
        assert_eq!(check_redirect_uri(&format!("{at_limit}a")), Err(TooLong));
    }

    #[test]
    fn web_pages_need_https() {
        assert_eq!(check_https_url("https://app.example.com/privacy"), Ok(()));
        assert_eq!(check_https_url("https://app.example.com/privacy#data"), Ok(()));
        assert_eq!(check_https_url("http://app.example.com/privacy"), Err(NotHttps));
        assert_eq!(check_https_url("http://localhost/privacy"), Err(NotHttps));
        assert_eq!(check_https_url("privacy.html"), Err(NotAbsolute));
        assert_eq!(check_https_url("javascript:alert(1)"), Err(NotAbsolute));
        assert_eq!(check_https_url("https://admin:pw@app.example.com/"), Err(UserInfo));
        assert_eq!(check_https_url(&format!("https://a.example/{}", "p".repeat(MAX_URL_LEN))), Err(TooLong));
    }

    #[test]
    fn messages_are_sentences() {
        for error in [NotAbsolute, NotHttps, Fragment, Wildcard, UserInfo, TooLong, Whitespace, Backslash] {
            let message = error.to_string();
            assert!(message.starts_with(char::is_uppercase) && message.ends_with('.'), "{message}");
        }
        assert!(NotHttps.to_string().starts_with("Use https"));
    }
}
