//! `serve --demo --demo-world`: the demo world is seeded through the service, once, and what it
//! prints works.

use crate::common::fixtures::{access_token, introspect};
use crate::common::{TestApp, json};
use portcullis_domain::application::status::ApplicationStatus::*;
use portcullis_service::Services;
use portcullis_service::audit::{self, ChainReport};
use portcullis_service::demo_world::{self, MOCKUP_HEIGHT, MOCKUP_WIDTH};
use portcullis_service::entity::{application, application_message, credential, decision, mockup, org};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::BTreeSet;

/// Organisations, applications, mockups and audit records.
async fn counts(services: &Services) -> [u64; 4] {
    let db = services.db();
    let records = match audit::verify(services).await.unwrap() {
        ChainReport::Intact { records, .. } => records,
        broken => panic!("the audit trail is broken: {broken:?}"),
    };
    [
        org::Entity::find().count(db).await.unwrap(),
        application::Entity::find().count(db).await.unwrap(),
        mockup::Entity::find().count(db).await.unwrap(),
        records,
    ]
}

async fn application_named(db: &DatabaseConnection, name: &str) -> application::Model {
    application::Entity::find().filter(application::Column::Name.eq(name)).one(db).await.unwrap().expect(name)
}

#[tokio::test]
async fn the_demo_world_is_seeded_once_with_every_status_real_mockups_and_working_secrets() {
    let app = TestApp::spawn().await;
    let db = app.services.db();

    // The first run seeds the world.
    let seeded = demo_world::seed(&app.services).await.unwrap().expect("a first run seeds");
    let [orgs, applications, mockups, records] = counts(&app.services).await;
    assert_eq!((orgs, applications), (3, seeded.applications as u64));
    assert!(applications >= 10 && mockups >= 10, "{applications} applications, {mockups} mockups");
    assert!(records > applications * 4, "every step is audited: {records} records");

    // Every status of the brief appears.
    let rows = application::Entity::find().all(db).await.unwrap();
    let statuses: BTreeSet<&str> = rows.iter().map(|a| a.status.as_str()).collect();
    for status in [Draft, Submitted, InReview, ChangesRequested, Approved, Rejected, Suspended] {
        assert!(statuses.contains(status.as_str()), "{status:?} in {statuses:?}");
    }
    // A second revision was resubmitted after changes were requested, with a thread both ways.
    let resubmitted = rows.iter().find(|a| a.revision == 2).expect("a second revision");
    assert_eq!(resubmitted.status, Submitted.as_str());
    for id in [&resubmitted.id, &application_named(db, "Fjordline Circles").await.id] {
        let sides: BTreeSet<String> = application_message::Entity::find()
            .filter(application_message::Column::ApplicationId.eq(id))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.side)
            .collect();
        assert_eq!(sides.len(), 2, "messages both ways: {sides:?}");
    }
    // A sensitive application waits in review for its second approval.
    let first_approvals = decision::Entity::find().filter(decision::Column::Kind.eq("first_approval")).all(db);
    let waiting = first_approvals
        .await
        .unwrap()
        .into_iter()
        .filter(|d| rows.iter().any(|a| a.id == d.application_id && a.status == InReview.as_str()));
    assert_eq!(waiting.count(), 1);
    // The approved application has sandbox and production credentials.
    let approved = rows.iter().find(|a| a.status == Approved.as_str()).unwrap();
    let environments: BTreeSet<String> = credential::Entity::find()
        .filter(credential::Column::ApplicationId.eq(&approved.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.environment)
        .collect();
    assert_eq!(environments, BTreeSet::from(["production".to_owned(), "sandbox".to_owned()]));

    // A mockup is a real PNG of a phone screen, served to the organisation's developer.
    let (email, _, password, _) = portcullis_service::accounts::DEMO_ACCOUNTS[0];
    let mut developer = app.client();
    let r = developer.post("/api/v1/auth/login", json!({"email": email, "password": password})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let shown = mockup::Entity::find()
        .filter(mockup::Column::ApplicationId.eq(&approved.id))
        .one(db)
        .await
        .unwrap()
        .expect("the approved application's mockup");
    let r = developer.get(&format!("/api/v1/applications/{}/mockups/{}", approved.id, shown.id)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let image = image::load_from_memory_with_format(&r.bytes().await.unwrap(), image::ImageFormat::Png).unwrap();
    assert_eq!((image.width(), image.height()), (MOCKUP_WIDTH, MOCKUP_HEIGHT));

    // A rejection is under appeal, and the demo reviewer, who took no part in it, may decide it.
    let (email, _, password, _) = portcullis_service::accounts::DEMO_ACCOUNTS[1];
    let mut reviewer = app.client();
    let r = reviewer.post("/api/v1/auth/login", json!({"email": email, "password": password})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let appealed = application_named(db, "Tessera Symptom Diary").await;
    let r = reviewer.get(&format!("/api/v1/applications/{}", appealed.id)).await;
    let view = &r.json::<serde_json::Value>().await.unwrap()["application"];
    assert_eq!(
        (view["status"].as_str(), view["appeal"]["status"].as_str()),
        (Some("rejected"), Some("pending")),
        "{view}"
    );
    assert_eq!(view["can_decide_appeal"], true, "{view}");

    // The printed accounts sign in, and the printed secrets work with the OAuth endpoints.
    for (email, _, password, _) in demo_world::ACCOUNTS {
        let r = app.client().post("/api/v1/auth/login", json!({"email": email, "password": password})).await;
        assert_eq!(r.status(), StatusCode::OK, "{email}");
    }
    let sandbox = seeded.sandbox.expect("the showcase's sandbox client");
    let token = access_token(&app.base, &sandbox.client_id, &sandbox.client_secret).await;
    let (status, answer) = introspect(&app.base, &seeded.gateway_key, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["active"], true, "{answer}");

    // A second run finds the world and adds nothing, not even an audit record.
    let before = counts(&app.services).await;
    assert_eq!(before[..3], [orgs, applications, mockups]);
    assert!(demo_world::seed(&app.services).await.unwrap().is_none());
    assert_eq!(counts(&app.services).await, before);
}
