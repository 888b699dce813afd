//! Moments as people read them. Always in UTC, so the server's page and the browser's
//! hydrated copy say the same.

use chrono::{DateTime, Utc};

/// "30 Nov 2026, 03:46 UTC" for an RFC 3339 moment; `None` when it is not one.
pub fn readable(rfc3339: &str) -> Option<String> {
    let at = DateTime::parse_from_rfc3339(rfc3339).ok()?.with_timezone(&Utc);
    Some(at.format("%-d %b %Y, %H:%M UTC").to_string())
}

/// "30 Nov 2026" for an RFC 3339 moment; `None` when it is not one.
pub fn readable_date(rfc3339: &str) -> Option<String> {
    let at = DateTime::parse_from_rfc3339(rfc3339).ok()?.with_timezone(&Utc);
    Some(at.format("%-d %b %Y").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_read_as_day_month_year_and_utc_time() {
        assert_eq!(readable("2026-11-30T03:46:12Z").as_deref(), Some("30 Nov 2026, 03:46 UTC"));
        assert_eq!(readable("2026-12-01T01:30:00+02:00").as_deref(), Some("30 Nov 2026, 23:30 UTC"));
        assert_eq!(readable_date("2026-01-05T00:00:00Z").as_deref(), Some("5 Jan 2026"));
    }

    #[test]
    fn anything_else_is_not_a_moment() {
        assert_eq!(readable("tomorrow"), None);
        assert_eq!(readable(""), None);
        assert_eq!(readable_date("2026-11-30"), None);
    }
}
