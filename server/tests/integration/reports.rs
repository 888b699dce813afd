//! Programme reports: a known history, written through the API on an injected clock, and
//! every figure of the JSON report and the CSV export checked against it.

use crate::common::fixtures::{decide, pass_everything, ready_to_submit, reviewer};
use crate::common::{Client, Options, TestApp, json};
use chrono::{TimeZone, Utc};
use portcullis_service::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple";
const POSTS: &str = "portability.posts.single";
const CONNECTIONS: &str = "portability.connections.single";
const RANGE: &str = "from=2026-03-01&to=2026-05-31&period=month";

/// Moves the clock to `at` (never back), then signs `clients` in again: sessions end on the
/// injected clock.
async fn at(clock: &ManualClock, app: &TestApp, moment: chrono::DateTime<Utc>, clients: &mut [(&mut Client, &str)]) {
    let now = portcullis_service::clock::Clock::now(clock);
    assert!(moment >= now, "the story goes forward: {moment} after {now}");
    clock.advance((moment - now).to_std().unwrap());
    for (client, email) in clients.iter_mut() {
        if *email == "root@example.com" {
            **client = app.signed_in_admin().await;
        } else {
            let r = client.post("/api/v1/auth/login", json!({"email": email, "password": PASSWORD})).await;
            assert_eq!(r.status(), StatusCode::OK, "{email} signs in again");
        }
    }
}

fn day(m: u32, d: u32, hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, hour, 0, 0).unwrap()
}

/// A developer's application, ready to submit, requesting `scopes`.
async fn prepared(app: &TestApp, email: &str, scopes: &[&str]) -> (Client, String) {
    let mut dev = app.signed_in_user(email, "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let scopes: Vec<Value> =
        scopes.iter().map(|s| json!({"name": s, "justification": "The archive needs exactly this."})).collect();
    let (status, body) = dev.patch_json(&format!("/api/v1/applications/{id}"), json!({ "scopes": scopes })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (dev, id)
}

async fn post_ok(client: &mut Client, path: &str, body: Value) -> Value {
    let (status, answer) = client.post_json(path, body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

async fn decided(rev: &mut Client, id: &str, decision: &str, granted: &[&str]) {
    let path = format!("/api/v1/applications/{id}");
    pass_everything(rev, &path).await;
    let (status, body) =
        decide(rev, &path, json!({"decision": decision, "granted_scopes": granted, "message": "Decided."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The figures of one period, in the CSV's column order after the scope.
fn figures(row: &Value) -> Vec<Value> {
    [
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
    ]
    .iter()
    .map(|field| row[field].clone())
    .chain([row["appeals"]["filed"].clone(), row["appeals"]["upheld"].clone(), row["appeals"]["overturned"].clone()])
    .collect()
}

#[tokio::test]
async fn a_known_history_gives_exactly_its_figures_in_json_and_csv() {
    // Monday 2 March 2026, 09:00 UTC; reviews are due in 10 business days.
    let clock = ManualClock::new(day(3, 2, 8));
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let mut rev2 = reviewer(&app, &mut admin, "rev2@example.com").await;
    let (mut dev_a, a) = prepared(&app, "a@apps.example", &[POSTS, CONNECTIONS]).await;
    let (mut dev_b, b) = prepared(&app, "b@apps.example", &[POSTS, CONNECTIONS]).await;
    let (mut dev_c, c) = prepared(&app, "c@apps.example", &[POSTS]).await;
    let (mut dev_d, d) = prepared(&app, "d@apps.example", &[POSTS]).await;
    let (mut dev_e, e) = prepared(&app, "e@apps.example", &[POSTS, CONNECTIONS]).await;
    let submit = |id: &str| format!("/api/v1/applications/{id}/submit");

    // March: A and B are received; A is approved after 2 business days, B sent back after 3.
    at(&clock, &app, day(3, 2, 9), &mut [(&mut dev_a, "a@apps.example")]).await;
    post_ok(&mut dev_a, &submit(&a), json!({})).await;
    at(&clock, &app, day(3, 2, 10), &mut [(&mut dev_b, "b@apps.example")]).await;
    post_ok(&mut dev_b, &submit(&b), json!({})).await;
    at(&clock, &app, day(3, 4, 9), &mut [(&mut rev, "rev@example.com")]).await;
    decided(&mut rev, &a, "approve", &[POSTS, CONNECTIONS]).await;
    at(&clock, &app, day(3, 5, 10), &mut [(&mut rev, "rev@example.com")]).await;
    decided(&mut rev, &b, "request_changes", &[]).await;
    // A's production credentials, active until revoked in April.
    at(&clock, &app, day(3, 6, 9), &mut [(&mut admin, "root@example.com")]).await;
    let a_live =
        post_ok(&mut admin, &format!("/api/v1/applications/{a}/credentials"), json!({"environment": "production"}))
            .await;

    // April: B comes back with 7 business days left (due Friday 10 April) and is rejected on
    // Monday 13 April: a breach. C is received and withdrawn in time. D is received and
    // approved after 4 business days, and goes live. E is received and never decided: due on
    // Tuesday 28 April, it breaches by the time of the report.
    at(&clock, &app, day(4, 1, 10), &mut [(&mut dev_b, "b@apps.example")]).await;
    post_ok(&mut dev_b, &submit(&b), json!({})).await;
    at(&clock, &app, day(4, 2, 9), &mut [(&mut dev_c, "c@apps.example")]).await;
    post_ok(&mut dev_c, &submit(&c), json!({})).await;
    at(&clock, &app, day(4, 6, 9), &mut [(&mut dev_d, "d@apps.example")]).await;
    post_ok(&mut dev_d, &submit(&d), json!({})).await;
    at(&clock, &app, day(4, 8, 9), &mut [(&mut dev_c, "c@apps.example")]).await;
    post_ok(&mut dev_c, &format!("/api/v1/applications/{c}/withdraw"), json!({})).await;
    at(&clock, &app, day(4, 10, 9), &mut [(&mut rev, "rev@example.com")]).await;
    decided(&mut rev, &d, "approve", &[POSTS]).await;
    at(&clock, &app, day(4, 13, 9), &mut [(&mut admin, "root@example.com")]).await;
    post_ok(&mut admin, &format!("/api/v1/applications/{d}/credentials"), json!({"environment": "production"})).await;
    at(&clock, &app, day(4, 13, 10), &mut [(&mut rev, "rev@example.com")]).await;
    decided(&mut rev, &b, "reject", &[]).await;
    at(&clock, &app, day(4, 14, 9), &mut [(&mut admin, "root@example.com"), (&mut dev_e, "e@apps.example")]).await;
    let client_id = a_live["client_id"].as_str().unwrap();
    let r = admin.post(&format!("/api/v1/credentials/{client_id}/revoke"), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    post_ok(&mut dev_e, &submit(&e), json!({})).await;
    // B appeals its rejection in April; a reviewer who took no part upholds it in May.
    at(&clock, &app, day(4, 20, 9), &mut [(&mut dev_b, "b@apps.example")]).await;
    post_ok(&mut dev_b, &format!("/api/v1/applications/{b}/appeal"), json!({"reasons": "We narrowed the use."})).await;
    at(&clock, &app, day(5, 4, 8), &mut [(&mut rev2, "rev2@example.com")]).await;
    let decision = json!({"outcome": "upheld", "reason": "The rejection stands."});
    post_ok(&mut rev2, &format!("/api/v1/applications/{b}/appeal/decision"), decision).await;

    // The report, on Monday 4 May.
    at(&clock, &app, day(5, 4, 9), &mut [(&mut admin, "root@example.com")]).await;
    let (status, report) = admin.get_json(&format!("/api/v1/reports?{RANGE}")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (&report["from"], &report["to"], &report["period"], &report["scope"]),
        (&json!("2026-03-01"), &json!("2026-05-31"), &json!("month"), &Value::Null)
    );
    assert_eq!(report["generated_at"], "2026-05-04T09:00:00Z");
    assert_eq!(report["target_business_days"], 10);
    let periods = report["periods"].as_array().unwrap();
    let labels: Vec<(&str, &str, &str)> = periods
        .iter()
        .map(|p| (p["label"].as_str().unwrap(), p["start"].as_str().unwrap(), p["end"].as_str().unwrap()))
        .collect();
    assert_eq!(
        labels,
        [
            ("2026-03", "2026-03-01", "2026-03-31"),
            ("2026-04", "2026-04-01", "2026-04-30"),
            ("2026-05", "2026-05-01", "2026-05-31")
        ]
    );
    let n = Value::Null;
    // received, approved, changes requested, rejected, withdrawn; first decisions, median,
    // p90; breaches; active production credentials; appeals filed, upheld, overturned.
    let expected = [
        [json!(2), json!(1), json!(1), json!(0), json!(0), json!(2), json!(2), json!(3), json!(0), json!(1)],
        [json!(3), json!(1), json!(0), json!(1), json!(1), json!(1), json!(4), json!(4), json!(2), json!(1)],
        [json!(0), json!(0), json!(0), json!(0), json!(0), json!(0), n.clone(), n.clone(), json!(0), json!(1)],
    ];
    // Appeals filed, upheld, overturned: B's, filed in April and upheld in May.
    let appeals = [[0, 0, 0], [1, 0, 0], [0, 1, 0]];
    for ((period, want), appealed) in periods.iter().zip(&expected).zip(appeals) {
        let mut want = want.to_vec();
        want.extend(appealed.map(|v| json!(v)));
        assert_eq!(figures(period), want, "{}", period["label"]);
    }
    // Per scope over the range: everything requests posts; A, B and E connections too, and
    // only D's live credential is active now.
    let scopes = report["scopes"].as_array().unwrap();
    assert_eq!(scopes.len(), 12, "the whole catalogue");
    let totals = |name: &str| -> Vec<Value> {
        let row = scopes.iter().find(|s| s["scope"] == name).unwrap();
        [
            "received",
            "approved",
            "changes_requested",
            "rejected",
            "withdrawn",
            "sla_breaches",
            "active_production_credentials",
        ]
        .iter()
        .map(|field| row[field].clone())
        .collect()
    };
    assert_eq!(totals(POSTS), [5, 2, 1, 1, 1, 2, 1].map(|v| json!(v)));
    assert_eq!(totals(CONNECTIONS), [3, 1, 1, 1, 0, 2, 0].map(|v| json!(v)));
    assert_eq!(totals("portability.direct_messages.ongoing"), [0; 7].map(|v| json!(v)));

    // One scope: only what concerns connections.
    let (status, only) = admin.get_json(&format!("/api/v1/reports?{RANGE}&scope={CONNECTIONS}")).await;
    assert_eq!(status, StatusCode::OK, "{only}");
    assert_eq!(only["scope"], CONNECTIONS);
    let expected = [
        [json!(2), json!(1), json!(1), json!(0), json!(0), json!(2), json!(2), json!(3), json!(0), json!(1)],
        [json!(1), json!(0), json!(0), json!(1), json!(0), json!(0), n.clone(), n.clone(), json!(2), json!(0)],
        [json!(0), json!(0), json!(0), json!(0), json!(0), json!(0), n.clone(), n.clone(), json!(0), json!(0)],
    ];
    for ((period, want), appealed) in only["periods"].as_array().unwrap().iter().zip(&expected).zip(appeals) {
        let mut want = want.to_vec();
        want.extend(appealed.map(|v| json!(v)));
        assert_eq!(figures(period), want, "{}", period["label"]);
    }

    // The CSV says the same.
    let r = admin.get(&format!("/api/v1/reports.csv?{RANGE}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"portcullis-report-2026-03-01-2026-05-31.csv\""
    );
    assert_eq!(
        r.text().await.unwrap(),
        "period,start,end,scope,received,approved,changes_requested,rejected,withdrawn,first_decisions,\
         median_business_days,p90_business_days,sla_breaches,active_production_credentials,appeals_filed,\
         appeals_upheld,appeals_overturned\r\n\
         2026-03,2026-03-01,2026-03-31,all,2,1,1,0,0,2,2,3,0,1,0,0,0\r\n\
         2026-04,2026-04-01,2026-04-30,all,3,1,0,1,1,1,4,4,2,1,1,0,0\r\n\
         2026-05,2026-05-01,2026-05-31,all,0,0,0,0,0,0,,,0,1,0,1,0\r\n"
    );
    let r = admin.get(&format!("/api/v1/reports.csv?{RANGE}&scope={CONNECTIONS}")).await;
    let csv = r.text().await.unwrap();
    assert_eq!(
        csv.lines().nth(2),
        Some(format!("2026-04,2026-04-01,2026-04-30,{CONNECTIONS},1,0,0,1,0,0,,,2,0,1,0,0").as_str())
    );

    // By default: the last twelve months, monthly, up to this one.
    let (status, default) = admin.get_json("/api/v1/reports").await;
    assert_eq!(status, StatusCode::OK, "{default}");
    assert_eq!((&default["from"], &default["to"]), (&json!("2025-06-01"), &json!("2026-05-31")));
    assert_eq!(default["periods"].as_array().unwrap().len(), 12);
    assert_eq!(default["periods"][9], periods[0], "the same March");
}

#[tokio::test]
async fn only_admins_and_auditors_read_reports_and_an_auditors_reading_is_recorded() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let mut dev = app.signed_in_user("dev@apps.example", "Dev").await;
    for client in [&mut rev, &mut dev] {
        for path in ["/api/v1/reports", "/api/v1/reports.csv"] {
            let (status, body) = client.get_json(path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        }
    }
    let (status, _) = app.client().get_json("/api/v1/reports").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let mut auditor = app.signed_in_user("auditor@regulator.example", "Ada Auditor").await;
    let (_, users) = admin.get_json("/api/v1/users?q=auditor@regulator.example").await;
    let auditor_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) =
        admin.put_json(&format!("/api/v1/users/{auditor_id}/roles"), json!({"roles": ["auditor"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, report) = auditor.get_json("/api/v1/reports?period=quarter").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let r = auditor.get("/api/v1/reports.csv").await;
    assert_eq!(r.status(), StatusCode::OK);

    let (_, viewed) = admin.get_json("/api/v1/audit?action=auditor.viewed").await;
    let reads: Vec<&Value> =
        viewed["items"].as_array().unwrap().iter().filter(|r| r["object_type"] == "report").collect();
    assert_eq!(reads.len(), 2, "{viewed}");
    assert!(reads.iter().all(|r| r["actor_id"] == json!(auditor_id)));
    // An admin's reading is not access-logged.
    admin.get_json("/api/v1/reports").await;
    let (_, again) = admin.get_json("/api/v1/audit?action=auditor.viewed").await;
    assert_eq!(again["total"], viewed["total"]);
}

#[tokio::test]
async fn bad_dates_periods_scopes_and_ranges_are_refused_with_422() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    for (query, field, message) in [
        ("from=2026-02-30", "from", "Give a date as YYYY-MM-DD, e.g. 2026-01-31."),
        ("to=next+week", "to", "Give a date as YYYY-MM-DD, e.g. 2026-01-31."),
        ("from=1900-01-01", "from", "Give a date from 1970-01-01 to 9999-12-31."),
        ("period=year", "period", "Choose week, month or quarter."),
        ("from=2026-05-01&to=2026-04-01", "from", "The start must be on or before the end."),
        ("from=2020-01-01&to=2025-06-30", "to", "A report covers at most 5 years; choose a shorter range."),
        ("scope=portability.everything", "scope", "Choose a scope of the catalogue."),
    ] {
        for path in ["/api/v1/reports", "/api/v1/reports.csv"] {
            let (status, body) = admin.get_json(&format!("{path}?{query}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(body["error"]["fields"][field], json!([message]), "{query}: {body}");
        }
    }
}
