//! Programme reports: what the review programme did per period (a week, a month or a
//! quarter), for every scope or one. The service reads the rows; everything counted here is
//! decided here, so the page, the JSON and the CSV say the same.

use crate::account::FieldErrors;
use crate::review::due::{ReviewClock, business_days_between};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest range a report covers.
pub const MAX_RANGE_YEARS: u32 = 5;
/// Months a report covers when the caller names no start.
pub const DEFAULT_MONTHS: u32 = 12;
/// The dates a report may name: timestamps outside them do not survive every database.
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
const LATEST: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");

/// How the range is cut into rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// ISO weeks, Monday to Sunday.
    Week,
    #[default]
    Month,
    Quarter,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Week, Period::Month, Period::Quarter];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Period::Week => "Weekly",
            Period::Month => "Monthly",
            Period::Quarter => "Quarterly",
        }
    }

    pub fn parse(text: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The first day of the period holding `day`.
    fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Week => day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday())),
            Period::Month => day.with_day(1).expect("every month has a first"),
            Period::Quarter => NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1).expect("a quarter"),
        }
    }

    /// The first day of the next period.
    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Week => start + chrono::Days::new(7),
            Period::Month => start + Months::new(1),
            Period::Quarter => start + Months::new(3),
        }
    }

    /// `2026-W03`, `2026-01` or `2026-Q1`.
    fn label(self, start: NaiveDate) -> String {
        match self {
            Period::Week => {
                let week = start.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Period::Month => format!("{}-{:02}", start.year(), start.month()),
            Period::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
        }
    }
}

/// What a caller asks a report for; every field is optional and checked by
/// [`ReportRange::parse`] (dates) and the service (the scope, against the catalogue).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD`; widened to the start of its period. Default: the first day of
    /// the month eleven months before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`; widened to the end of its period. Default: today.
    pub to: Option<String>,
    /// `week`, `month` (default) or `quarter`.
    pub period: Option<String>,
    /// One scope of the catalogue, e.g. `portability.posts.single`; default: all.
    pub scope: Option<String>,
}

/// The range a report covers, widened to whole periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    /// The first day of the first period.
    pub from: NaiveDate,
    /// The last day of the last period.
    pub to: NaiveDate,
    pub period: Period,
}

fn date(field: &str, text: Option<&str>, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) if (EARLIEST..=LATEST).contains(&day) => Some(day),
        Ok(_) => {
            errors.entry(field.into()).or_default().push(format!("Give a date from {EARLIEST} to {LATEST}."));
            None
        }
        Err(_) => {
            errors.entry(field.into()).or_default().push("Give a date as YYYY-MM-DD, e.g. 2026-01-31.".into());
            None
        }
    }
}

impl ReportRange {
    /// The range a caller asked for: `from` and `to` are days (`YYYY-MM-DD`, both included);
    /// without `to`, up to `today`; without `from`, the [`DEFAULT_MONTHS`] months up to `to`;
    /// monthly unless `period` says otherwise. Both ends widen to whole periods.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        period: Option<&str>,
        today: NaiveDate,
    ) -> Result<ReportRange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
            None => Period::default(),
            Some(text) => Period::parse(text).unwrap_or_else(|| {
                errors.entry("period".into()).or_default().push("Choose week, month or quarter.".into());
                Period::default()
            }),
        };
        let given_from = date("from", from, &mut errors);
        let given_to = date("to", to, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let to = given_to.unwrap_or(today);
        let from = given_from.unwrap_or_else(|| {
            Period::Month.start_of(to.checked_sub_months(Months::new(DEFAULT_MONTHS - 1)).unwrap_or(EARLIEST))
        });
        if from > to {
            errors.entry("from".into()).or_default().push("The start must be on or before the end.".into());
            return Err(errors);
        }
        if from.checked_add_months(Months::new(12 * MAX_RANGE_YEARS)).is_none_or(|limit| to >= limit) {
            errors
                .entry("to".into())
                .or_default()
                .push(format!("A report covers at most {MAX_RANGE_YEARS} years; choose a shorter range."));
            return Err(errors);
        }
        let from = period.start_of(from).max(EARLIEST);
        let to = period.next(period.start_of(to)).pred_opt().expect("after the earliest day");
        Ok(ReportRange { from, to, period })
    }

    /// The periods in order: first day and the first day after.
    pub fn periods(&self) -> Vec<(NaiveDate, NaiveDate)> {
        let mut periods = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let next = self.period.next(start);
            periods.push((start, next));
            start = next;
        }
        periods
    }

    /// The first moment of the range.
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.from)
    }

    /// The first moment after the range.
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.to.succ_opt().unwrap_or(self.to))
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

/// What happened to an application that the report counts, from its timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// The first submission: the application is received.
    Submitted,
    /// A new revision after changes were requested: the review clock resumes.
    Resubmitted,
    /// An approved application sent back to review: a fresh review clock.
    RecertificationRequested,
    Approved,
    ChangesRequested,
    Rejected,
    Withdrawn,
}

impl Milestone {
    /// Timeline event kinds, as the service records them.
    pub const EVENT_KINDS: [&'static str; 7] = [
        "submitted",
        "resubmitted",
        "recertification_requested",
        "approved",
        "changes_requested",
        "rejected",
        "withdrawn",
    ];

    pub fn from_event_kind(kind: &str) -> Option<Milestone> {
        Some(match kind {
            "submitted" => Milestone::Submitted,
            "resubmitted" => Milestone::Resubmitted,
            "recertification_requested" => Milestone::RecertificationRequested,
            "approved" => Milestone::Approved,
            "changes_requested" => Milestone::ChangesRequested,
            "rejected" => Milestone::Rejected,
            "withdrawn" => Milestone::Withdrawn,
            _ => return None,
        })
    }

    fn is_decision(self) -> bool {
        matches!(self, Milestone::Approved | Milestone::ChangesRequested | Milestone::Rejected)
    }
}

/// One application: the scopes it requests and its milestones, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationHistory {
    pub scopes: Vec<String>,
    pub milestones: Vec<(DateTime<Utc>, Milestone)>,
}

/// A production credential: active from `issued_at` until `ended_at` (revoked or expired,
/// whichever came first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSpan {
    pub scopes: Vec<String>,
    pub issued_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealStep {
    Filed,
    Upheld,
    Overturned,
}

/// An appeal filed, or decided, at `at`, on an application requesting `scopes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppealEvent {
    pub scopes: Vec<String>,
    pub at: DateTime<Utc>,
    pub step: AppealStep,
}

/// Everything a report is computed from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub range: ReportRange,
    /// Business days reviewers have to decide.
    pub target_days: u32,
    pub now: DateTime<Utc>,
    pub applications: &'a [ApplicationHistory],
    pub credentials: &'a [CredentialSpan],
    pub appeals: &'a [AppealEvent],
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppealFigures {
    pub filed: u64,
    pub upheld: u64,
    pub overturned: u64,
}

/// One period's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodFigures {
    /// `2026-W03`, `2026-01` or `2026-Q1`.
    pub label: String,
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day, `YYYY-MM-DD`.
    pub end: String,
    /// Applications first submitted in the period.
    pub received: u64,
    /// Final decisions taken in the period, of any revision.
    pub approved: u64,
    pub changes_requested: u64,
    pub rejected: u64,
    pub withdrawn: u64,
    /// Applications whose first decision (approve, request changes or reject) was taken in
    /// the period: the sample of the two figures below.
    pub first_decisions: u64,
    /// Business days from first submission to first decision; nearest-rank median.
    pub median_business_days: Option<u32>,
    /// Nearest-rank 90th percentile of the same.
    pub p90_business_days: Option<u32>,
    /// Review due dates in the period that were missed: decided (or withdrawn) after it, or
    /// still undecided now that it has passed.
    pub sla_breaches: u64,
    /// Production credentials active at the end of the period, or now for the current one.
    pub active_production_credentials: u64,
    pub appeals: AppealFigures,
}

/// One scope's figures over the whole range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeTotals {
    pub scope: String,
    pub received: u64,
    pub approved: u64,
    pub changes_requested: u64,
    pub rejected: u64,
    pub withdrawn: u64,
    pub sla_breaches: u64,
    /// At the end of the range, or now if it has not ended.
    pub active_production_credentials: u64,
    pub appeals: AppealFigures,
}

/// A programme report, as the page, the JSON API and the CSV export show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeReport {
    /// First day of the first period.
    pub from: String,
    /// Last day of the last period.
    pub to: String,
    pub period: Period,
    /// The one scope counted (applications requesting it, credentials granting it); `null`
    /// for all.
    pub scope: Option<String>,
    pub generated_at: String,
    /// The review target the due dates are computed with.
    pub target_business_days: u32,
    pub periods: Vec<PeriodFigures>,
    /// Every scope of the catalogue, over the whole range.
    pub scopes: Vec<ScopeTotals>,
}

fn counts(scopes: &[String], scope: Option<&str>) -> bool {
    scope.is_none_or(|wanted| scopes.iter().any(|s| s == wanted))
}

/// The index of the period holding `at`.
fn bucket(starts: &[DateTime<Utc>], end: DateTime<Utc>, at: DateTime<Utc>) -> Option<usize> {
    if at >= end {
        return None;
    }
    starts.partition_point(|start| *start <= at).checked_sub(1)
}

/// The `rank`-percent nearest-rank percentile of sorted `values`.
fn percentile(sorted: &[u32], rank: usize) -> Option<u32> {
    let n = sorted.len();
    (n > 0).then(|| sorted[(n * rank).div_ceil(100).max(1) - 1])
}

/// Figures per period of `input.range`, counting only what concerns `scope` (all when
/// `None`).
pub fn periods(input: &ReportInput, scope: Option<&str>) -> Vec<PeriodFigures> {
    let bounds = input.range.periods();
    let starts: Vec<DateTime<Utc>> = bounds.iter().map(|(start, _)| midnight(*start)).collect();
    let end = input.range.end();
    let mut figures: Vec<PeriodFigures> = bounds
        .iter()
        .map(|(start, next)| PeriodFigures {
            label: input.range.period.label(*start),
            start: start.to_string(),
            end: next.pred_opt().expect("after a start").to_string(),
            ..PeriodFigures::default()
        })
        .collect();
    let mut days: Vec<Vec<u32>> = vec![Vec::new(); bounds.len()];
    let at = |moment| bucket(&starts, end, moment);
    for application in input.applications.iter().filter(|a| counts(&a.scopes, scope)) {
        let mut clock: Option<ReviewClock> = None;
        let mut first_submitted = None;
        let mut decided_once = false;
        let breach = |clock: Option<ReviewClock>, ended: Option<DateTime<Utc>>, figures: &mut [PeriodFigures]| {
            let due = clock.and_then(|c| c.due_at());
            if let Some(due) = due
                && ended.unwrap_or(input.now) > due
                && let Some(i) = at(due)
            {
                figures[i].sla_breaches += 1;
            }
        };
        for &(moment, milestone) in &application.milestones {
            let period = at(moment);
            let row = period.map(|i| &mut figures[i]);
            match milestone {
                Milestone::Submitted => {
                    first_submitted.get_or_insert(moment);
                    clock = Some(ReviewClock::start(input.target_days, moment));
                    if let Some(row) = row {
                        row.received += 1;
                    }
                }
                Milestone::Resubmitted => {
                    clock = Some(clock.map_or(ReviewClock::start(input.target_days, moment), |c| c.resume(moment)));
                }
                Milestone::RecertificationRequested => clock = Some(ReviewClock::start(input.target_days, moment)),
                Milestone::Approved | Milestone::ChangesRequested | Milestone::Rejected | Milestone::Withdrawn => {
                    if let Some(row) = row {
                        match milestone {
                            Milestone::Approved => row.approved += 1,
                            Milestone::ChangesRequested => row.changes_requested += 1,
                            Milestone::Rejected => row.rejected += 1,
                            _ => row.withdrawn += 1,
                        }
                    }
                    if milestone.is_decision()
                        && !decided_once
                        && let Some(submitted) = first_submitted
                    {
                        decided_once = true;
                        if let Some(i) = period {
                            days[i].push(business_days_between(submitted, moment));
                        }
                    }
                    breach(clock, Some(moment), &mut figures);
                    clock = clock.map(|c| c.pause(moment)).map(|paused| match milestone {
                        Milestone::ChangesRequested => paused,
                        _ => ReviewClock { running_since: None, ..paused },
                    });
                }
            }
        }
        breach(clock, None, &mut figures);
    }
    for (row, mut sample) in figures.iter_mut().zip(days) {
        sample.sort_unstable();
        row.first_decisions = sample.len() as u64;
        row.median_business_days = percentile(&sample, 50);
        row.p90_business_days = percentile(&sample, 90);
    }
    for (row, start) in figures.iter_mut().zip(&starts) {
        row.active_production_credentials = active_credentials(input, scope, *start, row_end(&starts, end, *start));
    }
    for appeal in input.appeals.iter().filter(|a| counts(&a.scopes, scope)) {
        if let Some(i) = at(appeal.at) {
            let appeals = &mut figures[i].appeals;
            match appeal.step {
                AppealStep::Filed => appeals.filed += 1,
                AppealStep::Upheld => appeals.upheld += 1,
                AppealStep::Overturned => appeals.overturned += 1,
            }
        }
    }
    figures
}

/// The first moment after the period starting at `start`.
fn row_end(starts: &[DateTime<Utc>], end: DateTime<Utc>, start: DateTime<Utc>) -> DateTime<Utc> {
    starts.iter().copied().find(|s| *s > start).unwrap_or(end)
}

/// Production credentials active at the end of the period `[start, end)`, or now while it
/// runs; none for a period still to come.
fn active_credentials(input: &ReportInput, scope: Option<&str>, start: DateTime<Utc>, end: DateTime<Utc>) -> u64 {
    if start > input.now {
        return 0;
    }
    let at = end.min(input.now);
    input
        .credentials
        .iter()
        .filter(|c| counts(&c.scopes, scope) && c.issued_at < at && c.ended_at.is_none_or(|ended| ended >= at))
        .count() as u64
}

/// The whole report: per period for `scope` (all when `None`), and every scope of
/// `catalogue` over the whole range.
pub fn report(input: &ReportInput, scope: Option<&str>, catalogue: &[String], generated_at: String) -> ProgrammeReport {
    let scopes = catalogue
        .iter()
        .map(|name| {
            let rows = periods(input, Some(name));
            let mut totals = ScopeTotals {
                scope: name.clone(),
                active_production_credentials: rows.last().map_or(0, |r| r.active_production_credentials),
                ..ScopeTotals::default()
            };
            for row in rows {
                totals.received += row.received;
                totals.approved += row.approved;
                totals.changes_requested += row.changes_requested;
                totals.rejected += row.rejected;
                totals.withdrawn += row.withdrawn;
                totals.sla_breaches += row.sla_breaches;
                totals.appeals.filed += row.appeals.filed;
                totals.appeals.upheld += row.appeals.upheld;
                totals.appeals.overturned += row.appeals.overturned;
            }
            totals
        })
        .collect();
    ProgrammeReport {
        from: input.range.from.to_string(),
        to: input.range.to.to_string(),
        period: input.range.period,
        scope: scope.map(str::to_owned),
        generated_at,
        target_business_days: input.target_days,
        periods: periods(input, scope),
        scopes,
    }
}

/// The CSV export's columns, in order.
pub const CSV_COLUMNS: [&str; 17] = [
    "period",
    "start",
    "end",
    "scope",
    "received",
    "approved",
    "changes_requested",
    "rejected",
    "withdrawn",
    "first_decisions",
    "median_business_days",
    "p90_business_days",
    "sla_breaches",
    "active_production_credentials",
    "appeals_filed",
    "appeals_upheld",
    "appeals_overturned",
];

/// The report's periods as CSV (RFC 4180, CRLF line ends): a header, then one row per
/// period. An empty median or percentile means no first decision in the period. Every
/// value is a date, a number or a scope name, none of which needs quoting.
pub fn csv(report: &ProgrammeReport) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    let scope = report.scope.as_deref().unwrap_or("all");
    let optional = |value: Option<u32>| value.map(|v| v.to_string()).unwrap_or_default();
    for row in &report.periods {
        let cells = [
            row.label.clone(),
            row.start.clone(),
            row.end.clone(),
            scope.to_owned(),
            row.received.to_string(),
            row.approved.to_string(),
            row.changes_requested.to_string(),
            row.rejected.to_string(),
            row.withdrawn.to_string(),
            row.first_decisions.to_string(),
            optional(row.median_business_days),
            optional(row.p90_business_days),
            row.sla_breaches.to_string(),
            row.active_production_credentials.to_string(),
            row.appeals.filed.to_string(),
            row.appeals.upheld.to_string(),
            row.appeals.overturned.to_string(),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
    }

    fn range(from: &str, to: &str, period: &str) -> ReportRange {
        ReportRange::parse(Some(from), Some(to), Some(period), day(2026, 12, 1)).unwrap()
    }

    #[test]
    fn by_default_a_report_covers_the_last_twelve_months_monthly() {
        let range = ReportRange::parse(None, None, None, day(2026, 12, 1)).unwrap();
        assert_eq!(range, ReportRange { from: day(2026, 1, 1), to: day(2026, 12, 31), period: Period::Month });
        let periods = range.periods();
        assert_eq!(periods.len(), 12);
        assert_eq!(periods[1], (day(2026, 2, 1), day(2026, 3, 1)));
    }

    #[test]
    fn ranges_widen_to_whole_weeks_and_quarters() {
        // Wednesday 2026-01-07 to Tuesday 2026-01-13: ISO weeks 2 and 3.
        let weeks = range("2026-01-07", "2026-01-13", "week");
        assert_eq!((weeks.from, weeks.to), (day(2026, 1, 5), day(2026, 1, 18)));
        assert_eq!(Period::Week.label(weeks.from), "2026-W02");
        let quarters = range("2026-02-10", "2026-08-01", "quarter");
        assert_eq!((quarters.from, quarters.to), (day(2026, 1, 1), day(2026, 9, 30)));
        assert_eq!(
            quarters.periods().iter().map(|p| Period::Quarter.label(p.0)).collect::<Vec<_>>(),
            ["2026-Q1", "2026-Q2", "2026-Q3"]
        );
        assert_eq!(Period::Week.label(day(2026, 12, 28)), "2026-W53");
    }

    #[test]
    fn bad_dates_periods_and_ranges_are_refused_with_the_field_named() {
        let today = day(2026, 12, 1);
        let refused = |from, to, period| ReportRange::parse(from, to, period, today).unwrap_err();
        assert!(refused(Some("2026-13-01"), None, None).contains_key("from"));
        assert!(refused(None, Some("yesterday"), None).contains_key("to"));
        assert!(refused(None, None, Some("year")).contains_key("period"));
        assert!(refused(Some("1969-12-31"), None, None).contains_key("from"));
        assert!(refused(Some("2026-05-01"), Some("2026-04-30"), None).contains_key("from"));
        let too_long = refused(Some("2020-01-01"), Some("2025-01-01"), None);
        assert_eq!(too_long["to"], ["A report covers at most 5 years; choose a shorter range."]);
        // Five years less a day is allowed.
        assert!(ReportRange::parse(Some("2020-01-01"), Some("2024-12-31"), None, today).is_ok());
    }

    #[test]
    fn median_and_ninetieth_percentile_are_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[4], 90), Some(4));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), Some(9));
        assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90), Some(10));
    }

    fn history(scopes: &[&str], milestones: &[(DateTime<Utc>, Milestone)]) -> ApplicationHistory {
        ApplicationHistory { scopes: scopes.iter().map(|s| s.to_string()).collect(), milestones: milestones.to_vec() }
    }

    fn input<'a>(
        range: ReportRange,
        applications: &'a [ApplicationHistory],
        credentials: &'a [CredentialSpan],
        appeals: &'a [AppealEvent],
    ) -> ReportInput<'a> {
        ReportInput { range, target_days: 10, now: at(2026, 12, 1), applications, credentials, appeals }
    }

    use Milestone::*;

    #[test]
    fn outcomes_and_times_count_in_the_period_they_happened() {
        let applications = [
            // Received in October, first decided in November after 12 business days: a breach
            // in November, where its due date (Monday 2026-11-09) fell. Resubmitted with its
            // days used up, it is due at once and approved two days later: a second breach.
            history(
                &["a"],
                &[
                    (at(2026, 10, 26), Submitted),
                    (at(2026, 11, 11), ChangesRequested),
                    (at(2026, 11, 16), Resubmitted),
                    (at(2026, 11, 18), Approved),
                ],
            ),
            // Received and rejected in November, within 3 business days.
            history(&["b"], &[(at(2026, 11, 2), Submitted), (at(2026, 11, 5), Rejected)]),
            // Received in November, withdrawn undecided in time.
            history(&["a", "b"], &[(at(2026, 11, 3), Submitted), (at(2026, 11, 4), Withdrawn)]),
        ];
        let report = periods(&input(range("2026-10-01", "2026-11-30", "month"), &applications, &[], &[]), None);
        let (october, november) = (&report[0], &report[1]);
        assert_eq!(
            (october.label.as_str(), october.start.as_str(), october.end.as_str()),
            ("2026-10", "2026-10-01", "2026-10-31")
        );
        assert_eq!(october.received, 1);
        assert_eq!((october.first_decisions, october.sla_breaches), (0, 0));
        assert_eq!(october.median_business_days, None);
        assert_eq!(november.received, 2);
        assert_eq!(
            (november.approved, november.changes_requested, november.rejected, november.withdrawn),
            (1, 1, 1, 1)
        );
        assert_eq!(november.first_decisions, 2);
        assert_eq!((november.median_business_days, november.p90_business_days), (Some(3), Some(12)));
        assert_eq!(november.sla_breaches, 2);
        let only_b = periods(&input(range("2026-10-01", "2026-11-30", "month"), &applications, &[], &[]), Some("b"));
        assert_eq!((only_b[0].received, only_b[1].received, only_b[1].approved, only_b[1].sla_breaches), (0, 2, 0, 0));
    }

    #[test]
    fn a_paused_clock_keeps_the_days_already_used() {
        // Ten business days: eight used before changes were requested, two after resubmitting
        // on Monday 2026-11-23, so due on Wednesday 2026-11-25; decided the day after.
        let applications = [history(
            &[],
            &[
                (at(2026, 11, 2), Submitted),
                (at(2026, 11, 12), ChangesRequested),
                (at(2026, 11, 23), Resubmitted),
                (at(2026, 11, 26), Approved),
            ],
        )];
        let rows = periods(&input(range("2026-11-16", "2026-11-29", "week"), &applications, &[], &[]), None);
        assert_eq!(rows.iter().map(|r| r.sla_breaches).collect::<Vec<_>>(), [0, 1]);
        let in_time = [history(
            &[],
            &[
                (at(2026, 11, 2), Submitted),
                (at(2026, 11, 12), ChangesRequested),
                (at(2026, 11, 23), Resubmitted),
                (at(2026, 11, 25), Approved),
            ],
        )];
        let rows = periods(&input(range("2026-11-16", "2026-11-29", "week"), &in_time, &[], &[]), None);
        assert_eq!(rows.iter().map(|r| r.sla_breaches).collect::<Vec<_>>(), [0, 0]);
    }

    #[test]
    fn an_undecided_application_breaches_once_its_due_date_has_passed() {
        // Due 2026-11-16 (passed) and 2026-12-14 (still to come, after `now`).
        let applications =
            [history(&[], &[(at(2026, 11, 2), Submitted)]), history(&[], &[(at(2026, 11, 30), Submitted)])];
        let rows = periods(&input(range("2026-11-01", "2026-12-31", "month"), &applications, &[], &[]), None);
        assert_eq!(rows.iter().map(|r| r.sla_breaches).collect::<Vec<_>>(), [1, 0]);
        // Withdrawn after its due date: it was left undecided past it.
        let withdrawn = [history(&[], &[(at(2026, 11, 2), Submitted), (at(2026, 11, 20), Withdrawn)])];
        let rows = periods(&input(range("2026-11-01", "2026-11-30", "month"), &withdrawn, &[], &[]), None);
        assert_eq!(rows[0].sla_breaches, 1);
    }

    #[test]
    fn a_recertification_starts_a_fresh_clock_and_counts_its_decision() {
        let applications = [history(
            &[],
            &[
                (at(2026, 6, 1), Submitted),
                (at(2026, 6, 3), Approved),
                (at(2026, 11, 2), RecertificationRequested),
                (at(2026, 11, 20), Approved),
            ],
        )];
        let rows = periods(&input(range("2026-11-01", "2026-11-30", "month"), &applications, &[], &[]), None);
        assert_eq!((rows[0].received, rows[0].approved, rows[0].first_decisions, rows[0].sla_breaches), (0, 1, 0, 1));
    }

    #[test]
    fn credentials_count_while_active_at_the_end_of_each_period_or_now() {
        let span = |scopes: &[&str], issued, ended| CredentialSpan {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            issued_at: issued,
            ended_at: ended,
        };
        let credentials = [
            span(&["a"], at(2026, 9, 10), None),
            // Revoked in October: active at the end of September only.
            span(&["a", "b"], at(2026, 9, 20), Some(at(2026, 10, 5))),
            // Issued on the last day of November, before now.
            span(&["b"], at(2026, 11, 30), None),
            span(&["b"], at(2026, 12, 1) + chrono::Duration::hours(1), None),
        ];
        let rows = periods(&input(range("2026-09-01", "2027-01-31", "month"), &[], &credentials, &[]), None);
        assert_eq!(rows.iter().map(|r| r.active_production_credentials).collect::<Vec<_>>(), [2, 1, 2, 2, 0]);
        let only_b = periods(&input(range("2026-09-01", "2026-12-31", "month"), &[], &credentials, &[]), Some("b"));
        assert_eq!(only_b.iter().map(|r| r.active_production_credentials).collect::<Vec<_>>(), [1, 0, 1, 1]);
    }

    #[test]
    fn appeals_count_by_step() {
        let appeal = |step, m| AppealEvent { scopes: vec!["a".into()], at: at(2026, m, 10), step };
        let appeals = [
            appeal(AppealStep::Filed, 10),
            appeal(AppealStep::Filed, 10),
            appeal(AppealStep::Upheld, 11),
            appeal(AppealStep::Overturned, 11),
        ];
        let rows = periods(&input(range("2026-10-01", "2026-11-30", "month"), &[], &[], &appeals), None);
        assert_eq!(rows[0].appeals, AppealFigures { filed: 2, upheld: 0, overturned: 0 });
        assert_eq!(rows[1].appeals, AppealFigures { filed: 0, upheld: 1, overturned: 1 });
        assert_eq!(
            periods(&input(range("2026-10-01", "2026-11-30", "month"), &[], &[], &appeals), Some("b"))[0].appeals.filed,
            0
        );
    }

    #[test]
    fn the_report_totals_each_scope_and_exports_as_csv() {
        let applications = [
            history(&["a"], &[(at(2026, 10, 5), Submitted), (at(2026, 10, 7), Approved)]),
            history(&["a", "b"], &[(at(2026, 11, 2), Submitted)]),
        ];
        let credentials = [CredentialSpan { scopes: vec!["a".into()], issued_at: at(2026, 10, 8), ended_at: None }];
        let catalogue = ["a".to_string(), "b".to_string()];
        let input = input(range("2026-10-01", "2026-11-30", "month"), &applications, &credentials, &[]);
        let report = report(&input, None, &catalogue, "2026-12-01T09:00:00Z".into());
        assert_eq!((report.from.as_str(), report.to.as_str()), ("2026-10-01", "2026-11-30"));
        assert_eq!(report.scopes[0].received, 2);
        assert_eq!(report.scopes[0].approved, 1);
        assert_eq!(report.scopes[0].active_production_credentials, 1);
        assert_eq!(report.scopes[1].received, 1);
        assert_eq!(report.scopes[1].sla_breaches, 1);
        assert_eq!(report.scopes[1].active_production_credentials, 0);
        assert_eq!(
            csv(&report),
            "period,start,end,scope,received,approved,changes_requested,rejected,withdrawn,first_decisions,\
             median_business_days,p90_business_days,sla_breaches,active_production_credentials,appeals_filed,\
             appeals_upheld,appeals_overturned\r\n\
             2026-10,2026-10-01,2026-10-31,all,1,1,0,0,0,1,2,2,0,1,0,0,0\r\n\
             2026-11,2026-11-01,2026-11-30,all,1,0,0,0,0,0,,,1,1,0,0,0\r\n"
        );
    }
}
