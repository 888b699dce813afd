//! Moments as people read them. Always in UTC, so the server's page and the browser's
//! hydrated copy say the same.

use chrono::{DateTime, Datelike, Timelike, Utc};

// Written out rather than with `format("%b")`: chrono's formatter and its locale tables
// would otherwise ship in the browser's first download.
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn utc(rfc3339: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(rfc3339).ok()?.with_timezone(&Utc))
}

fn date(at: DateTime<Utc>) -> String {
    format!("{} {} {}", at.day(), MONTHS[at.month0() as usize], at.year())
}

/// "30 Nov 2026, 03:46 UTC" for an RFC 3339 moment; `None` when it is not one.
pub fn readable(rfc3339: &str) -> Option<String> {
    let at = utc(rfc3339)?;
    Some(format!("{}, {:02}:{:02} UTC", date(at), at.hour(), at.minute()))
}

/// "30 Nov 2026" for an RFC 3339 moment; `None` when it is not one.
pub fn readable_date(rfc3339: &str) -> Option<String> {
    utc(rfc3339).map(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_read_as_day_month_year_and_utc_time() {
        assert_eq!(readable("2026-11-30T03:46:12Z").as_deref(), Some("30 Nov 2026, 03:46 UTC"));
        assert_eq!(readable("2026-12-01T01:30:00+02:00").as_deref(), Some("30 Nov 2026, 23:30 UTC"));
        assert_eq!(readable_date("2026-01-05T00:00:00Z").as_deref(), Some("5 Jan 2026"));
        assert_eq!(readable("2027-12-31T23:59:59.999Z").as_deref(), Some("31 Dec 2027, 23:59 UTC"));
        assert_eq!(readable("2026-05-09T07:05:00Z").as_deref(), Some("9 May 2026, 07:05 UTC"));
    }

    #[test]
    fn anything_else_is_not_a_moment() {
        assert_eq!(readable("tomorrow"), None);
        assert_eq!(readable(""), None);
        assert_eq!(readable_date("2026-11-30"), None);
    }
}
