//! `/admin/reports`: the programme report as charts, each with a table of its numbers, a
//! filter form that is a plain GET (so the URL can be shared), and the CSV and JSON exports.

use super::{encode, param};
use crate::api::reports::load_programme_report;
use crate::components::chart::{AxisLabel, BarChart, Series};
use crate::components::form::ErrorAlert;
use crate::components::layout::RequireRole;
use crate::components::moment::Moment;
use crate::components::scope::ScopeName;
use leptos::prelude::*;
use leptos_meta::Title;
use portcullis_domain::application::scope::{default_catalogue, scope_label};
use portcullis_domain::report::{MAX_RANGE_YEARS, Period, PeriodFigures, ProgrammeReport};
use portcullis_domain::role::Role;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <RequireRole any_of=&[Role::Admin, Role::Auditor]>
            <Reports/>
        </RequireRole>
    }
}

/// The filters as the URL gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    scope: Option<String>,
}

impl Filters {
    fn query(&self) -> String {
        [("from", &self.from), ("to", &self.to), ("period", &self.period), ("scope", &self.scope)]
            .into_iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={}", encode(v))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

#[component]
fn Reports() -> impl IntoView {
    let (from, to, period, scope) = (param("from"), param("to"), param("period"), param("scope"));
    let filters =
        Memo::new(move |_| Filters { from: from.get(), to: to.get(), period: period.get(), scope: scope.get() });
    let report = Resource::new(move || filters.get(), |f| load_programme_report(f.from, f.to, f.period, f.scope));
    view! {
        <section>
            <Title text="Programme reports"/>
            <h1>"Programme reports"</h1>
            <p class="muted">
                "What the review programme did, period by period: applications received and decided, how long a first decision took in business days, review due dates missed, production credentials in use, and appeals."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || report.get().map(|result| {
                    let filters = filters.get_untracked();
                    match result {
                        Err(e) => view! { <FilterForm filters report=None/> <ErrorAlert error=e/> }.into_any(),
                        Ok(report) => view! {
                            <FilterForm filters=filters.clone() report=Some(report.clone())/>
                            <Exports filters/>
                            <Figures report/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn FilterForm(filters: Filters, report: Option<ProgrammeReport>) -> impl IntoView {
    // The dates the report was widened to, or as typed when they were refused.
    let from = report.as_ref().map(|r| r.from.clone()).or(filters.from).unwrap_or_default();
    let to = report.as_ref().map(|r| r.to.clone()).or(filters.to).unwrap_or_default();
    let period = report.as_ref().map(|r| r.period.as_str().to_owned()).or(filters.period).unwrap_or_default();
    let scope = filters.scope.unwrap_or_default();
    let scopes: Vec<String> = match &report {
        Some(report) => report.scopes.iter().map(|s| s.scope.clone()).collect(),
        None => default_catalogue().into_iter().map(|s| s.name).collect(),
    };
    view! {
        <form method="get" action="/admin/reports" class="filters" role="search" aria-label="Choose the report">
            <div class="field">
                <label for="from">"From"</label>
                <input id="from" name="from" type="date" value=from/>
            </div>
            <div class="field">
                <label for="to">"To"</label>
                <input id="to" name="to" type="date" value=to aria-describedby="range-hint"/>
            </div>
            <div class="field">
                <label for="period">"Per"</label>
                <select id="period" name="period">
                    {Period::ALL.into_iter().map(|p| view! {
                        <option value=p.as_str() selected=period == p.as_str()>{p.as_str()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="scope">"Scope"</label>
                <select id="scope" name="scope">
                    <option value="" selected=scope.is_empty()>"All scopes"</option>
                    {scopes.into_iter().map(|name| {
                        let label = scope_label(&name).map_or_else(|| name.clone(), |(title, _)| title);
                        view! { <option value=name.clone() selected=scope == name>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button secondary">"Show"</button>
        </form>
        <p id="range-hint" class="muted small">
            {format!("Dates widen to whole periods; a report covers at most {MAX_RANGE_YEARS} years. Without dates: the last 12 months.")}
        </p>
    }
}

#[component]
fn Exports(filters: Filters) -> impl IntoView {
    let query = filters.query();
    let suffix = if query.is_empty() { String::new() } else { format!("?{query}") };
    view! {
        <p class="actions">
            <a class="button secondary small" href=format!("/api/v1/reports.csv{suffix}") download>"Download CSV"</a>
            <a class="button secondary small" href=format!("/api/v1/reports{suffix}")>"View as JSON"</a>
        </p>
    }
}

/// A table that may scroll sideways: named and focusable, so it can be scrolled by keyboard.
#[component]
fn Scrolling(label: &'static str, children: Children) -> impl IntoView {
    view! { <div class="table-scroll" role="region" aria-label=label tabindex="0">{children()}</div> }
}

/// "Mar 2026", "Q1 2026" or "Week 3, 2026" for a period's label.
fn period_name(label: &str) -> String {
    let Some((year, part)) = label.split_once('-') else { return label.to_owned() };
    if let Some(week) = part.strip_prefix('W') {
        format!("Week {}, {year}", week.trim_start_matches('0'))
    } else if part.starts_with('Q') {
        format!("{part} {year}")
    } else {
        part.parse::<usize>()
            .ok()
            .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
            .map_or_else(|| label.to_owned(), |month| format!("{month} {year}"))
    }
}

/// Under the bars: the month, quarter or week, and the year where it changes.
fn axis_labels(periods: &[PeriodFigures]) -> Vec<AxisLabel> {
    let mut last_year = None;
    periods
        .iter()
        .map(|p| {
            let name = period_name(&p.label);
            let (short, year) = name.rsplit_once(' ').map_or((name.clone(), ""), |(s, y)| (s.to_owned(), y));
            let short = short.trim_end_matches(',').replace("Week ", "W");
            let year = year.to_owned();
            let changed = last_year.as_ref() != Some(&year);
            last_year = Some(year.clone());
            AxisLabel { short, year: changed.then_some(year) }
        })
        .collect()
}

fn count(value: Option<u32>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

#[component]
fn Figures(report: ProgrammeReport) -> impl IntoView {
    let periods = report.periods;
    let labels = axis_labels(&periods);
    let values = |f: fn(&PeriodFigures) -> Option<u64>| periods.iter().map(f).collect::<Vec<_>>();
    let outcomes = vec![
        Series { name: "Approved", class: "series-approved", values: values(|p| Some(p.approved)) },
        Series { name: "Changes requested", class: "series-changes", values: values(|p| Some(p.changes_requested)) },
        Series { name: "Rejected", class: "series-rejected", values: values(|p| Some(p.rejected)) },
        Series { name: "Withdrawn", class: "series-withdrawn", values: values(|p| Some(p.withdrawn)) },
    ];
    let times = vec![
        Series { name: "Median", class: "series-median", values: values(|p| p.median_business_days.map(u64::from)) },
        Series { name: "90th percentile", class: "series-p90", values: values(|p| p.p90_business_days.map(u64::from)) },
    ];
    let credentials = vec![Series {
        name: "Active production credentials",
        class: "series-credentials",
        values: values(|p| Some(p.active_production_credentials)),
    }];
    let target = report.target_business_days;
    let scope_note = match &report.scope {
        Some(scope) => view! { " Only what concerns " <ScopeName name=scope.clone()/> "." }.into_any(),
        None => view! { " Every scope." }.into_any(),
    };
    let rows = periods.clone();
    let time_rows = periods.clone();
    let credential_rows = periods;
    view! {
        <p class="muted small">
            {format!("{} from {} to {}.", report.period.title(), report.from, report.to)}
            {scope_note}
            " Generated " <Moment at=report.generated_at.clone()/> "."
        </p>

        <h2 id="outcomes">"Applications"</h2>
        <div class="report-pair">
            <BarChart title="Decisions and withdrawals per period, stacked" labels=labels.clone() series=outcomes stacked=true/>
            <Scrolling label="Applications per period">
                <table class="report">
                    <caption>"Applications per period: received (first submitted), and final decisions and withdrawals"</caption>
                    <thead><tr>
                        <th scope="col">"Period"</th><th scope="col">"Received"</th><th scope="col">"Approved"</th>
                        <th scope="col">"Changes requested"</th><th scope="col">"Rejected"</th><th scope="col">"Withdrawn"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|p| view! {
                            <tr>
                                <th scope="row">{period_name(&p.label)}</th>
                                <td>{p.received}</td><td>{p.approved}</td><td>{p.changes_requested}</td>
                                <td>{p.rejected}</td><td>{p.withdrawn}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Scrolling>
        </div>

        <h2 id="times">"Time to first decision"</h2>
        <p class="muted small">
            {format!("Business days from first submission to the first approval, request for changes or rejection, by the period of that decision. A review is due {target} business days after submission; the clock pauses while the applicant makes changes.")}
        </p>
        <div class="report-pair">
            <BarChart
                title="Median and 90th percentile business days to a first decision, per period"
                labels=labels.clone()
                series=times
                reference=(format!("Target: {target} days"), u64::from(target))
            />
            <Scrolling label="Time to first decision per period">
                <table class="report">
                    <caption>"Time to first decision (business days) and missed due dates per period"</caption>
                    <thead><tr>
                        <th scope="col">"Period"</th><th scope="col">"First decisions"</th><th scope="col">"Median"</th>
                        <th scope="col">"90th percentile"</th><th scope="col">"Due dates missed"</th>
                    </tr></thead>
                    <tbody>
                        {time_rows.into_iter().map(|p| view! {
                            <tr>
                                <th scope="row">{period_name(&p.label)}</th>
                                <td>{p.first_decisions}</td><td>{count(p.median_business_days)}</td>
                                <td>{count(p.p90_business_days)}</td><td>{p.sla_breaches}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Scrolling>
        </div>

        <h2 id="credentials">"Production credentials and appeals"</h2>
        <div class="report-pair">
            <BarChart title="Production credentials active at the end of each period (now, for the current one)" labels series=credentials/>
            <Scrolling label="Production credentials and appeals per period">
                <table class="report">
                    <caption>"Production credentials active at the end of each period (now, for the current one), and appeals"</caption>
                    <thead><tr>
                        <th scope="col">"Period"</th><th scope="col">"Active credentials"</th><th scope="col">"Appeals filed"</th>
                        <th scope="col">"Upheld"</th><th scope="col">"Overturned"</th>
                    </tr></thead>
                    <tbody>
                        {credential_rows.into_iter().map(|p| view! {
                            <tr>
                                <th scope="row">{period_name(&p.label)}</th>
                                <td>{p.active_production_credentials}</td><td>{p.appeals.filed}</td>
                                <td>{p.appeals.upheld}</td><td>{p.appeals.overturned}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Scrolling>
        </div>

        <h2 id="scopes">"By scope"</h2>
        <Scrolling label="Each scope over the range">
            <table class="report">
                <caption>"Each scope over the whole range: applications requesting it, and credentials granting it (active at the end of the range, or now)"</caption>
                <thead><tr>
                    <th scope="col">"Scope"</th><th scope="col">"Received"</th><th scope="col">"Approved"</th>
                    <th scope="col">"Changes requested"</th><th scope="col">"Rejected"</th><th scope="col">"Withdrawn"</th>
                    <th scope="col">"Due dates missed"</th><th scope="col">"Active credentials"</th>
                </tr></thead>
                <tbody>
                    {report.scopes.into_iter().map(|s| view! {
                        <tr>
                            <th scope="row"><ScopeName name=s.scope/></th>
                            <td>{s.received}</td><td>{s.approved}</td><td>{s.changes_requested}</td>
                            <td>{s.rejected}</td><td>{s.withdrawn}</td><td>{s.sla_breaches}</td>
                            <td>{s.active_production_credentials}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Scrolling>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_people_name_them() {
        assert_eq!(period_name("2026-03"), "Mar 2026");
        assert_eq!(period_name("2026-Q1"), "Q1 2026");
        assert_eq!(period_name("2026-W03"), "Week 3, 2026");
        let periods: Vec<PeriodFigures> = ["2025-12", "2026-01", "2026-02"]
            .into_iter()
            .map(|label| PeriodFigures { label: label.into(), ..Default::default() })
            .collect();
        let labels = axis_labels(&periods);
        assert_eq!(labels.iter().map(|l| l.short.as_str()).collect::<Vec<_>>(), ["Dec", "Jan", "Feb"]);
        assert_eq!(labels.iter().map(|l| l.year.as_deref()).collect::<Vec<_>>(), [Some("2025"), Some("2026"), None]);
    }
}
