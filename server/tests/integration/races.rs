//! Two requests at once on the same thing. On SQLite `BEGIN IMMEDIATE` serialises writers; on
//! PostgreSQL (READ COMMITTED) each of these raced until its check and its write were made one
//! (a locked row, or a lock named after the thing), so these tests matter most there.

use crate::common;

use common::fixtures::{approve, png, ready_to_submit, submitted_as};
use common::{Client, TestApp, json};
use portcullis_domain::role::{Role, Roles};
use portcullis_service::entity::{application, application_revision, credential, credential_secret, mockup, user};
use portcullis_service::{Actor, Ctx, ServiceError};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn user_id(admin: &mut Client, email: &str) -> String {
    let (_, users) = admin.get_json(&format!("/api/v1/users?q={email}")).await;
    users["items"][0]["id"].as_str().unwrap().to_owned()
}

/// A second admin, signed in, next to the one `signed_in_admin` makes.
async fn second_admin(app: &TestApp, root: &mut Client, email: &str) -> (Client, String) {
    let client = app.signed_in_user(email, "Second Admin").await;
    let id = user_id(root, email).await;
    let (status, body) = root.put_json(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["admin"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (client, id)
}

async fn enabled_admins(app: &TestApp) -> usize {
    user::Entity::find()
        .filter(user::Column::DisabledAt.is_null())
        .all(app.services.db())
        .await
        .unwrap()
        .iter()
        .filter(|u| Roles::from_csv(&u.roles).is_ok_and(|r| r.contains(Role::Admin)))
        .count()
}

#[tokio::test]
async fn autosaves_racing_a_submission_are_in_the_revision_or_refused() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let path = format!("/api/v1/applications/{id}");
    let saves = (0..6).map(|n| {
        let (mut client, path) = (dev.clone(), path.clone());
        async move {
            let description = format!("Autosaved text number {n}, long enough to be a description.");
            client.patch_json(&path, json!({ "description": description })).await.0
        }
    });
    let (mut submitter, submit) = (dev.clone(), format!("{path}/submit"));
    let (saved, (submitted, body)) =
        tokio::join!(futures_util::future::join_all(saves), submitter.post_json(&submit, json!({})));
    assert_eq!(submitted, StatusCode::OK, "{body}");
    assert!(saved.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "{saved:?}");

    // What the application holds now is exactly what was submitted: no save landed after.
    let row = application::Entity::find_by_id(&id).one(app.services.db()).await.unwrap().unwrap();
    let revision = application_revision::Entity::find()
        .filter(application_revision::Column::ApplicationId.eq(&id))
        .one(app.services.db())
        .await
        .unwrap()
        .unwrap();
    let snapshot: serde_json::Value = serde_json::from_str(&revision.snapshot).unwrap();
    let content: serde_json::Value = serde_json::from_str(&row.content).unwrap();
    assert_eq!(snapshot["content"]["description"], content["description"]);
    assert_eq!(row.status, "submitted");
}

#[tokio::test]
async fn recertification_racing_a_suspension_leaves_one_of_them() {
    let app = TestApp::spawn().await;
    let (dev, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    approve(&app, &mut admin, &id, &["portability.posts.single"]).await;
    let path = format!("/api/v1/applications/{id}");
    let (mut owner, mut suspender) = (dev.clone(), admin.clone());
    let (recertify, suspend) = (format!("{path}/recertify"), format!("{path}/suspend"));
    let reason = json!({"reason": "The privacy policy link is dead."});
    let ((recertified, a), (suspended, b)) =
        tokio::join!(owner.post_json(&recertify, json!({})), suspender.post_json(&suspend, reason));
    let answers = [recertified, suspended];
    assert_eq!(answers.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a} {b}");
    assert_eq!(answers.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 1, "{a} {b}");
    let (_, now) = admin.get_json(&path).await;
    let expected = if recertified == StatusCode::OK { "submitted" } else { "suspended" };
    assert_eq!(now["application"]["status"], expected, "{now}");
}

#[tokio::test]
async fn two_admins_demoting_or_disabling_each_other_leave_an_admin() {
    let app = TestApp::spawn().await;
    let mut root = app.signed_in_admin().await;
    let root_id = user_id(&mut root, "root@example.com").await;
    let (mut second, second_id) = second_admin(&app, &mut root, "second@example.com").await;
    let demote = json!({"roles": []});
    let (of_second, of_root) = (format!("/api/v1/users/{second_id}/roles"), format!("/api/v1/users/{root_id}/roles"));
    let ((a, _), (b, _)) =
        tokio::join!(root.put_json(&of_second, demote.clone()), second.put_json(&of_root, demote.clone()));
    assert_eq!(enabled_admins(&app).await, 1, "{a} {b}");
    assert_eq!([a, b].iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a} {b}");

    // The one left makes a new second admin; the two disable each other at once.
    let mut left = if a == StatusCode::OK { root } else { second };
    let (left_id, other_email) =
        if a == StatusCode::OK { (root_id, "third@example.com") } else { (second_id, "fourth@example.com") };
    let (mut other, other_id) = second_admin(&app, &mut left, other_email).await;
    let (of_other, of_left) = (format!("/api/v1/users/{other_id}/disable"), format!("/api/v1/users/{left_id}/disable"));
    let ((a, _), (b, _)) = tokio::join!(left.post_json(&of_other, json!({})), other.post_json(&of_left, json!({})));
    assert_eq!(enabled_admins(&app).await, 1, "{a} {b}");
    assert_eq!([a, b].iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a} {b}");
}

#[tokio::test]
async fn concurrent_rotations_each_get_their_own_generation() {
    let app = TestApp::spawn().await;
    let (dev, id) = submitted_as(&app, "dev@example.com").await;
    let mut owner = dev.clone();
    let (status, issued) =
        owner.post_json(&format!("/api/v1/applications/{id}/credentials"), json!({"environment": "sandbox"})).await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let client_id = issued["client_id"].as_str().unwrap().to_owned();
    let rotations = (0..4).map(|_| {
        let (mut client, path) = (dev.clone(), format!("/api/v1/credentials/{client_id}/rotate"));
        async move { client.post_json(&path, json!({})).await }
    });
    let answers = futures_util::future::join_all(rotations).await;
    assert!(answers.iter().all(|(s, _)| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{answers:?}");
    let rotated = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert!(rotated >= 1, "{answers:?}");

    let db = app.services.db();
    let credential =
        credential::Entity::find().filter(credential::Column::ClientId.eq(&client_id)).one(db).await.unwrap().unwrap();
    let secrets = credential_secret::Entity::find()
        .filter(credential_secret::Column::CredentialId.eq(&credential.id))
        .order_by_asc(credential_secret::Column::Generation)
        .all(db)
        .await
        .unwrap();
    let generations: Vec<i32> = secrets.iter().map(|s| s.generation).collect();
    assert_eq!(generations, (1..=1 + rotated as i32).collect::<Vec<_>>(), "one generation per rotation");
    let now = chrono::Utc::now();
    let valid = secrets.iter().filter(|s| s.valid_until.is_none_or(|until| until > now)).count();
    assert!(valid <= 3, "the current secret and at most two earlier ones: {valid}");
}

#[tokio::test]
async fn concurrent_uploads_never_pass_the_mockup_limit() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let path = format!("/api/v1/applications/{id}/mockups");
    for n in 1..19 {
        let (status, body) = dev.upload(&path, Some(&format!("Screen {n}")), "s.png", png(20, 20)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (mut a, mut b) = (dev.clone(), dev.clone());
    let ((first, x), (second, y)) = tokio::join!(
        a.upload(&path, Some("Last A"), "a.png", png(21, 20)),
        b.upload(&path, Some("Last B"), "b.png", png(22, 20))
    );
    assert_eq!([first, second].iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{x} {y}");
    let stored = mockup::Entity::find()
        .filter(mockup::Column::ApplicationId.eq(&id))
        .filter(mockup::Column::DeletedAt.is_null())
        .all(app.services.db())
        .await
        .unwrap();
    assert_eq!(stored.len(), 20);
}

#[tokio::test]
async fn privileged_writes_read_the_actors_roles_again() {
    let app = TestApp::spawn().await;
    let (_, id) = submitted_as(&app, "dev@example.com").await;
    let mut root = app.signed_in_admin().await;
    approve(&app, &mut root, &id, &["portability.posts.single"]).await;
    let (_, second_id) = second_admin(&app, &mut root, "second@example.com").await;
    let stale = {
        let row = user::Entity::find_by_id(&second_id).one(app.services.db()).await.unwrap().unwrap();
        Ctx { actor: Some(Actor::from_user(&row).unwrap()), ..Ctx::default() }
    };
    // Demoted after its session was read, before its write began.
    let (status, body) = root.put_json(&format!("/api/v1/users/{second_id}/roles"), json!({"roles": []})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let reason = portcullis_domain::credential::ReasonInput { reason: "Stale rights must not count.".into() };
    let suspended = portcullis_service::applications::suspension::suspend(&app.services, &stale, &id, reason).await;
    assert!(matches!(suspended, Err(ServiceError::NotFound | ServiceError::Forbidden)), "{suspended:?}");
    let demoted = portcullis_service::accounts::set_roles(&app.services, &stale, &second_id, vec![Role::Admin]).await;
    assert!(matches!(demoted, Err(ServiceError::Forbidden)), "{demoted:?}");
    let (_, now) = root.get_json(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(now["application"]["status"], "approved");
}
