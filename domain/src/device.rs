//! Where an account is signed in: the sessions people see on their Security page, the names
//! of the devices those sessions run on, and when a sign-in from a device is news to mail.

use serde::{Deserialize, Serialize};

/// At most this much of a `User-Agent` header is kept with a session.
pub const MAX_USER_AGENT_CHARS: usize = 256;
/// The devices remembered per account; the least recently seen beyond this are forgotten
/// (and a sign-in from one of them is mailed again as new).
pub const MAX_KNOWN_DEVICES: u64 = 20;

/// One signed-in session of the account, as its Security page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    /// Names the sign-in (not the session cookie, which is never shown).
    pub id: String,
    /// What the browser said it is, in words ("Firefox on Linux").
    pub device: String,
    /// The client address at sign-in.
    pub address: Option<String>,
    pub signed_in_at: String,
    pub last_seen_at: String,
    /// This is the session asking.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    /// The current session first, then the most recently seen.
    pub sessions: Vec<SessionView>,
}

/// The `User-Agent` as kept with a session: trimmed, without control characters, bounded.
pub fn clip_user_agent(user_agent: &str) -> String {
    user_agent.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT_CHARS).collect::<String>().trim().to_owned()
}

/// A device's name from its `User-Agent`, in the words people use: the browser and the
/// system. Order matters: Edge and Opera say "Chrome" too, and Chrome says "Safari".
pub fn device_label(user_agent: Option<&str>) -> String {
    let Some(agent) = user_agent.filter(|a| !a.trim().is_empty()) else {
        return "Unknown device".into();
    };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, name)| name);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => clip_user_agent(agent).chars().take(60).collect(),
    }
}

/// Whether a sign-in is worth a mail: from a device the account has not used before, unless
/// it is the account's first device at all (nothing to compare with, and the person just
/// registered or was invited).
pub fn is_news(known_devices: u64, device_known: bool) -> bool {
    known_devices > 0 && !device_known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_by_what_they_are_not_by_what_they_imitate() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0",
                "Edge on Windows",
            ),
            ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0", "Firefox on Linux"),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            ("curl/8.5.0", "curl"),
        ];
        for (agent, label) in cases {
            assert_eq!(device_label(Some(agent)), label, "{agent}");
        }
    }

    #[test]
    fn unknown_agents_are_shown_briefly_and_missing_ones_said_so() {
        assert_eq!(device_label(None), "Unknown device");
        assert_eq!(device_label(Some("  ")), "Unknown device");
        assert_eq!(device_label(Some("portcullis-cli/1.0")), "portcullis-cli/1.0");
        assert_eq!(device_label(Some(&"x".repeat(500))).chars().count(), 60);
    }

    #[test]
    fn kept_agents_are_bounded_and_free_of_control_characters() {
        assert_eq!(clip_user_agent(" a\r\nb\t "), "ab");
        assert_eq!(clip_user_agent(&"é".repeat(1000)).chars().count(), MAX_USER_AGENT_CHARS);
    }

    #[test]
    fn only_a_new_device_beside_known_ones_is_news() {
        assert!(!is_news(0, false), "the first device of an account");
        assert!(is_news(2, false));
        assert!(!is_news(2, true));
    }
}
