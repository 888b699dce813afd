//! Organisations: creating, inviting teammates, accepting invitations.

use crate::common;

use common::{Options, TestApp, json, link_token};
use portcullis_service::clock::ManualClock;
use reqwest::StatusCode;

fn acme() -> serde_json::Value {
    json!({"name": "Acme Data Tools GmbH", "country": "DE", "website": "https://acme.example", "contact_email": "privacy@acme.example"})
}

#[tokio::test]
async fn a_developer_creates_an_organisation_and_owns_it() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("owner@example.com", "Owner").await;
    let (status, body) = dev.post_json("/api/v1/orgs", acme()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["org"]["my_role"], "owner");
    assert_eq!(body["org"]["country"], "DE");

    let (status, list) = dev.get_json("/api/v1/orgs").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["orgs"].as_array().unwrap().len(), 1);

    let mut other = app.signed_in_user("other@example.com", "Other").await;
    let (_, list) = other.get_json("/api/v1/orgs").await;
    assert_eq!(list["orgs"], json!([]));
    let id = body["org"]["id"].as_str().unwrap();
    let (status, _) = other.get_json(&format!("/api/v1/orgs/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "other people's organisations do not exist for them");
}

#[tokio::test]
async fn bad_organisation_input_is_reported_per_field() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("owner@example.com", "Owner").await;
    let (status, body) = dev
        .post_json(
            "/api/v1/orgs",
            json!({"name": "", "country": "Atlantis", "website": "http://acme.example", "contact_email": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "country", "website", "contact_email"] {
        assert!(body["error"]["fields"][field].is_array(), "{field}: {body}");
    }
    let (status, _) = dev.post_json("/api/v1/orgs", json!({"name": "X", "country": "DE"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "missing fields");
    let mut anon = app.client();
    let (status, _) = anon.post_json("/api/v1/orgs", acme()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invitations_are_accepted_by_the_invited_address_only() {
    let app = TestApp::spawn().await;
    let mut owner = app.signed_in_user("owner@example.com", "Owner").await;
    let (_, body) = owner.post_json("/api/v1/orgs", acme()).await;
    let org_id = body["org"]["id"].as_str().unwrap().to_owned();

    let (status, body) =
        owner.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "Mate@Example.com"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["invitation"]["email"], "mate@example.com");
    let mail = app.wait_for_mail("mate@example.com", "invitations/accept").await;
    let token = link_token(&mail, "invitations/accept");

    // Someone else who got hold of the link cannot use it.
    let mut intruder = app.signed_in_user("intruder@example.com", "Intruder").await;
    let (status, body) = intruder.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["error"]["message"].as_str().unwrap().contains("mate@example.com"));

    let mut mate = app.signed_in_user("mate@example.com", "Mate").await;
    let (status, body) = mate.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["org"]["my_role"], "member");
    let (status, _) = mate.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "used once");

    // Members see the organisation but only owners invite.
    let (status, detail) = mate.get_json(&format!("/api/v1/orgs/{org_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["members"].as_array().unwrap().len(), 2);
    let (status, _) =
        mate.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "x@example.com"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        owner.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "mate@example.com"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "already a member");

    let mut admin = app.signed_in_admin().await;
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?object_id={org_id}")).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    for action in ["org.created", "org.member_invited", "org.member_joined"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn invitations_expire() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let mut owner = app.signed_in_user("owner@example.com", "Owner").await;
    let (_, body) = owner.post_json("/api/v1/orgs", acme()).await;
    let org_id = body["org"]["id"].as_str().unwrap().to_owned();
    owner.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "late@example.com"})).await;
    let token = link_token(&app.wait_for_mail("late@example.com", "invitations/accept").await, "invitations/accept");

    clock.advance(std::time::Duration::from_secs(8 * 24 * 3600));
    let mut late = app.signed_in_user("late@example.com", "Late").await;
    let (status, body) = late.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_token");
}

/// Naming any address as an organisation's contact must not make the portal mail it: only a
/// confirmation link goes there until someone opens it.
#[tokio::test]
async fn an_unconfirmed_contact_address_hears_nothing_but_the_link_to_confirm_it() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = common::fixtures::submitted_as(&app, "dev@zoe.example").await;
    app.wait_for_mail("dev@zoe.example", "received").await;
    let contact = "privacy@zoe.example";
    let to_contact = || {
        common::read_mails(&app.mail_dir())
            .into_iter()
            .filter(|m| m.contains(&format!("To: {contact}")))
            .collect::<Vec<_>>()
    };
    let first = app.wait_for_mail(contact, "named this address as the contact").await;
    assert_eq!(to_contact().len(), 1, "only the confirmation link went to the contact, not the submission notice");

    let (_, orgs) = dev.get_json("/api/v1/orgs").await;
    assert_eq!(orgs["orgs"][0]["contact_verified"], false);
    let org_id = orgs["orgs"][0]["id"].as_str().unwrap().to_owned();

    // Only owners may send it again; a new link replaces the old one.
    let mut stranger = app.signed_in_user("stranger@example.com", "Stranger").await;
    let (status, _) = stranger.post_json(&format!("/api/v1/orgs/{org_id}/contact/verification"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = dev.post_json(&format!("/api/v1/orgs/{org_id}/contact/verification"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let mut anon = app.client();
    let (status, _) =
        anon.post_json("/api/v1/orgs/verify-contact", json!({"token": link_token(&first, "/verify-contact")})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the first link was replaced");
    let second = loop {
        let mails = to_contact();
        if mails.len() == 2 {
            break mails.into_iter().find(|m| m != &first).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let (status, body) =
        anon.post_json("/api/v1/orgs/verify-contact", json!({"token": link_token(&second, "/verify-contact")})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) =
        anon.post_json("/api/v1/orgs/verify-contact", json!({"token": link_token(&second, "/verify-contact")})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a link works once");
    let (_, orgs) = dev.get_json("/api/v1/orgs").await;
    assert_eq!(orgs["orgs"][0]["contact_verified"], true);
    let (status, _) = dev.post_json(&format!("/api/v1/orgs/{org_id}/contact/verification"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing left to confirm");

    // Confirmed, it hears about the organisation's applications.
    let mut admin = app.signed_in_admin().await;
    let mut reviewer = common::fixtures::reviewer(&app, &mut admin, "rev@platform.example").await;
    let (status, body) = reviewer
        .post_json(&format!("/api/v1/applications/{id}/messages"), json!({"body": "Looking at it today."}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.wait_for_mail(contact, "New message about application").await;
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?object_id={org_id}")).await;
    assert!(audit.to_string().contains("org.contact_verified"), "{audit}");
}

#[tokio::test]
async fn the_creators_own_address_as_contact_is_confirmed_at_once() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("owner@acme.example", "Owner").await;
    let (status, body) = dev
        .post_json("/api/v1/orgs", json!({"name": "Acme", "country": "DE", "website": "https://acme.example", "contact_email": "Owner@Acme.example"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["org"]["contact_verified"], true);
}

/// Invites `email` to the organisation and accepts as them; returns their client and user id.
async fn join(app: &TestApp, owner: &mut common::Client, org_id: &str, email: &str) -> (common::Client, String) {
    let (status, body) = owner.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": email})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = link_token(&app.wait_for_mail(email, "invitations/accept").await, "invitations/accept");
    let mut person = app.signed_in_user(email, "Mate").await;
    let (status, body) = person.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, me) = person.get_json("/api/v1/me").await;
    let id = me["user"]["id"].as_str().unwrap().to_owned();
    (person, id)
}

#[tokio::test]
async fn a_removed_member_loses_the_applications_at_once_and_everyone_is_told() {
    let app = TestApp::spawn().await;
    let (mut owner, application_id) = common::fixtures::submitted_as(&app, "owner@zoe.example").await;
    let (_, orgs) = owner.get_json("/api/v1/orgs").await;
    let org_id = orgs["orgs"][0]["id"].as_str().unwrap().to_owned();
    let (mut mate, mate_id) = join(&app, &mut owner, &org_id, "mate@zoe.example").await;
    let (_, second_id) = join(&app, &mut owner, &org_id, "second@zoe.example").await;
    let application = format!("/api/v1/applications/{application_id}");
    assert_eq!(mate.get_json(&application).await.0, StatusCode::OK);

    // Members cannot remove others or change roles.
    let r = mate.delete(&format!("/api/v1/orgs/{org_id}/members/{second_id}")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _) =
        mate.patch_json(&format!("/api/v1/orgs/{org_id}/members/{mate_id}"), json!({"role": "owner"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let r = owner.delete(&format!("/api/v1/orgs/{org_id}/members/{mate_id}")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for path in [
        application.clone(),
        format!("{application}/messages"),
        format!("{application}/timeline"),
        format!("/api/v1/applications/{application_id}/credentials"),
        format!("/api/v1/orgs/{org_id}"),
    ] {
        assert_eq!(mate.get_json(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, list) = mate.get_json("/api/v1/applications").await;
    assert_eq!(list["total"], 0, "{list}");
    app.wait_for_mail("mate@zoe.example", "removed Mate (mate@zoe.example)").await;
    app.wait_for_mail("second@zoe.example", "removed Mate (mate@zoe.example)").await;

    let mut admin = app.signed_in_admin().await;
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=org.member_removed&object_id={org_id}")).await;
    assert_eq!(audit["total"], 1, "{audit}");
}

#[tokio::test]
async fn roles_change_members_leave_and_the_last_owner_always_stays() {
    let app = TestApp::spawn().await;
    let mut owner = app.signed_in_user("owner@acme.example", "Owner").await;
    let (_, body) = owner.post_json("/api/v1/orgs", acme()).await;
    let org_id = body["org"]["id"].as_str().unwrap().to_owned();
    let (_, me) = owner.get_json("/api/v1/me").await;
    let owner_id = me["user"]["id"].as_str().unwrap().to_owned();
    let (mut mate, mate_id) = join(&app, &mut owner, &org_id, "mate@acme.example").await;
    let members = format!("/api/v1/orgs/{org_id}/members");

    let r = owner.delete(&format!("{members}/{owner_id}")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "the last owner cannot leave");
    let (status, _) = owner.patch_json(&format!("{members}/{owner_id}"), json!({"role": "member"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "nor stop being an owner");
    let (status, _) = owner.patch_json(&format!("{members}/{mate_id}"), json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, body) = owner.patch_json(&format!("{members}/{mate_id}"), json!({"role": "owner"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["member"]["role"], "owner");
    app.wait_for_mail("mate@acme.example", "an owner of").await;
    // Now two owners: the first may leave, and the second is then the last.
    let r = owner.delete(&format!("{members}/{owner_id}")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(owner.get_json(&format!("/api/v1/orgs/{org_id}")).await.0, StatusCode::NOT_FOUND);
    let r = mate.delete(&format!("{members}/{mate_id}")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let (_, detail) = mate.get_json(&format!("/api/v1/orgs/{org_id}")).await;
    assert_eq!(detail["members"].as_array().unwrap().len(), 1, "{detail}");

    // A member (not an owner) may leave on their own.
    let (mut third, third_id) = join(&app, &mut mate, &org_id, "third@acme.example").await;
    let r = third.delete(&format!("{members}/{third_id}")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

/// Two owners demoting each other at once: one succeeds, the organisation keeps an owner.
#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_one_owner() {
    let app = TestApp::spawn().await;
    let mut first = app.signed_in_user("first@acme.example", "First").await;
    let (_, body) = first.post_json("/api/v1/orgs", acme()).await;
    let org_id = body["org"]["id"].as_str().unwrap().to_owned();
    let (_, me) = first.get_json("/api/v1/me").await;
    let first_id = me["user"]["id"].as_str().unwrap().to_owned();
    let (mut second, second_id) = join(&app, &mut first, &org_id, "second@acme.example").await;
    let members = format!("/api/v1/orgs/{org_id}/members");
    let (status, _) = first.patch_json(&format!("{members}/{second_id}"), json!({"role": "owner"})).await;
    assert_eq!(status, StatusCode::OK);

    let demote = json!({"role": "member"});
    let (demote_second, demote_first) = (format!("{members}/{second_id}"), format!("{members}/{first_id}"));
    let (a, b) = tokio::join!(
        first.patch_json(&demote_second, demote.clone()),
        second.patch_json(&demote_first, demote.clone()),
    );
    // The second to run is refused: as the last owner (409), or as no longer an owner (403).
    let statuses = [a.0, b.0];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
    assert!(statuses.iter().any(|s| [StatusCode::CONFLICT, StatusCode::FORBIDDEN].contains(s)), "{a:?} {b:?}");
    let (_, detail) = first.get_json(&format!("/api/v1/orgs/{org_id}")).await;
    let owners = detail["members"].as_array().unwrap().iter().filter(|m| m["role"] == "owner").count();
    assert_eq!(owners, 1, "{detail}");
}

#[tokio::test]
async fn owners_withdraw_pending_invitations() {
    let app = TestApp::spawn().await;
    let mut owner = app.signed_in_user("owner@acme.example", "Owner").await;
    let (_, body) = owner.post_json("/api/v1/orgs", acme()).await;
    let org_id = body["org"]["id"].as_str().unwrap().to_owned();
    let (_, body) =
        owner.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "late@acme.example"})).await;
    let invitation_id = body["invitation"]["id"].as_str().unwrap().to_owned();
    let token = link_token(&app.wait_for_mail("late@acme.example", "invitations/accept").await, "invitations/accept");

    let mut stranger = app.signed_in_user("stranger@example.com", "Stranger").await;
    let r = stranger.delete(&format!("/api/v1/orgs/{org_id}/invitations/{invitation_id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = owner.delete(&format!("/api/v1/orgs/{org_id}/invitations/{invitation_id}")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = owner.delete(&format!("/api/v1/orgs/{org_id}/invitations/{invitation_id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no longer pending");
    let (_, detail) = owner.get_json(&format!("/api/v1/orgs/{org_id}")).await;
    assert_eq!(detail["invitations"], json!([]));

    let mut late = app.signed_in_user("late@acme.example", "Late").await;
    let (status, _) = late.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the link stopped working");
}
