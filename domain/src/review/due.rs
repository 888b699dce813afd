//! Review due dates in business days. The clock runs while the application waits for the
//! reviewers and pauses while the applicant is making changes.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

pub const DEFAULT_TARGET_BUSINESS_DAYS: u32 = 10;

fn is_business_day(at: DateTime<Utc>) -> bool {
    !matches!(at.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `start` moved forward by `days` business days (weekends skipped), same time of day.
pub fn add_business_days(start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let mut at = start;
    let mut left = days;
    while left > 0 {
        at += Duration::days(1);
        if is_business_day(at) {
            left -= 1;
        }
    }
    at
}

/// Whole business days that passed between `from` and `to`.
pub fn business_days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    let mut days = 0;
    let mut at = from;
    while at + Duration::days(1) <= to {
        at += Duration::days(1);
        if is_business_day(at) {
            days += 1;
        }
    }
    days
}

/// The state of an application's review clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewClock {
    pub target_days: u32,
    /// Business days used in earlier runs of the clock.
    pub used_days: u32,
    /// When the current run started; `None` while paused.
    pub running_since: Option<DateTime<Utc>>,
}

impl ReviewClock {
    pub fn start(target_days: u32, at: DateTime<Utc>) -> Self {
        ReviewClock { target_days, used_days: 0, running_since: Some(at) }
    }

    /// The review is due at, or `None` while paused.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        self.running_since.map(|since| add_business_days(since, self.target_days.saturating_sub(self.used_days)))
    }

    pub fn pause(self, at: DateTime<Utc>) -> Self {
        match self.running_since {
            Some(since) => ReviewClock {
                used_days: self.used_days + business_days_between(since, at),
                running_since: None,
                ..self
            },
            None => self,
        }
    }

    pub fn resume(self, at: DateTime<Utc>) -> Self {
        ReviewClock { running_since: self.running_since.or(Some(at)), ..self }
    }

    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.due_at().is_some_and(|due| now > due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
    }

    #[test]
    fn weekends_do_not_count() {
        // Monday 2026-11-23 + 10 business days = Monday 2026-12-07.
        assert_eq!(add_business_days(at(2026, 11, 23), 10), at(2026, 12, 7));
        // Friday + 1 = Monday.
        assert_eq!(add_business_days(at(2026, 11, 27), 1), at(2026, 11, 30));
        // Saturday + 1 = Monday.
        assert_eq!(add_business_days(at(2026, 11, 28), 1), at(2026, 11, 30));
        assert_eq!(business_days_between(at(2026, 11, 23), at(2026, 12, 7)), 10);
        assert_eq!(business_days_between(at(2026, 11, 27), at(2026, 11, 30)), 1);
    }

    #[test]
    fn the_clock_pauses_while_changes_are_requested() {
        let clock = ReviewClock::start(10, at(2026, 11, 23));
        assert_eq!(clock.due_at(), Some(at(2026, 12, 7)));
        // Four business days in, changes are requested: no due date while paused.
        let paused = clock.pause(at(2026, 11, 27));
        assert_eq!(paused.used_days, 4);
        assert_eq!(paused.due_at(), None);
        assert!(!paused.is_overdue(at(2027, 1, 1)));
        // Resubmitted a week later: six business days remain.
        let resumed = paused.resume(at(2026, 12, 7));
        assert_eq!(resumed.due_at(), Some(at(2026, 12, 15)));
        assert!(resumed.is_overdue(at(2026, 12, 16)));
        assert!(!resumed.is_overdue(at(2026, 12, 14)));
    }
}
