//! The review queue as it grows: scope filters through the scope rows, pages that follow one
//! another by position, bounded counts, and (on PostgreSQL) plans that read indexes.

use crate::common;

use chrono::{DateTime, Utc};
use common::fixtures::{decide, pass_everything, reviewer, submitted_as};
use common::{Client, TestApp, json};
use portcullis_domain::review::queue::{QUEUE_COUNT_BOUND, QUEUE_PAGE_SIZE, QueueParams};
use portcullis_service::entity::{application, application_scope, user};
use portcullis_service::{Ctx, review};
use reqwest::StatusCode;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Statement,
    TransactionTrait,
};
use serde_json::Value;

const DMS: &str = "portability.direct_messages.ongoing";
const POSTS: &str = "portability.posts.single";

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

async fn queue(client: &mut Client, query: &str) -> Value {
    let (status, page) = client.get_json(&format!("/api/v1/review/queue?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page
}

/// `n` copies of application `id` written straight into the database, each with a fresh id and
/// reference, its scope rows, and `submitted_at` and `due_at` set to `at`: a queue longer than
/// the API could fill in a test's time, with every sort key tied.
async fn copies(app: &TestApp, id: &str, n: usize, at: DateTime<Utc>) -> Vec<String> {
    let db = app.services.db();
    let original = application::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
    let scopes = application_scope::Entity::find()
        .filter(application_scope::Column::ApplicationId.eq(id))
        .all(db)
        .await
        .unwrap();
    let txn = db.begin().await.unwrap();
    let mut made = Vec::new();
    for _ in 0..n {
        let copy_id = uuid::Uuid::new_v4().to_string();
        let mut row = original.clone().into_active_model();
        row.id = Set(copy_id.clone());
        row.reference = Set(format!("PA-T{}", &copy_id[..8]));
        row.submitted_at = Set(Some(at));
        row.due_at = Set(Some(at));
        application::Entity::insert(row).exec_without_returning(&txn).await.unwrap();
        for scope in &scopes {
            let mut scope = scope.clone().into_active_model();
            scope.application_id = Set(copy_id.clone());
            scope.submitted_at = Set(Some(at));
            scope.due_at = Set(Some(at));
            application_scope::Entity::insert(scope).exec_without_returning(&txn).await.unwrap();
        }
        made.push(copy_id);
    }
    txn.commit().await.unwrap();
    made
}

/// A submitted application asking for posts, connections and direct messages, and a reviewer.
async fn with_direct_messages(app: &TestApp) -> (Client, Client, String) {
    let (mut dev, id) = submitted_as(app, "dev@example.com").await;
    // Back to a draft that asks for direct messages too: changes requested, edited, resubmitted.
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(app, &mut admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    rev.post_json(&format!("{path}/assign"), json!({})).await;
    let (status, body) = decide(&mut rev, &path, json!({"decision": "request_changes", "message": "Say more."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut patch = common::fixtures::complete_patch();
    patch["scopes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": DMS, "justification": "To keep the person's conversations."}));
    let (status, body) = dev.patch_json(&path, patch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = dev.post_json(&format!("{path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (dev, rev, id)
}

#[tokio::test]
async fn scope_filters_follow_requested_and_granted_scopes_as_they_change() {
    let app = TestApp::spawn().await;
    let (mut dev, mut rev, id) = with_direct_messages(&app).await;
    let path = format!("/api/v1/applications/{id}");

    // Requested: the new revision's direct messages count at once.
    for query in [format!("scope={DMS}"), "scope=sensitive".into(), format!("scope={POSTS}")] {
        assert_eq!(ids(&queue(&mut rev, &query).await), [id.as_str()], "{query}");
    }
    assert_eq!(ids(&queue(&mut rev, "scope=portability.activity.single").await), Vec::<String>::new());
    assert_eq!(ids(&queue(&mut rev, &format!("granted={POSTS}")).await), Vec::<String>::new(), "nothing granted yet");

    // Approved with posts alone: still requested, granted only posts.
    pass_everything(&mut rev, &path).await;
    let (status, body) = decide(
        &mut rev,
        &path,
        json!({"decision": "approve", "granted_scopes": [POSTS], "message": "Posts are enough for an archive."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["granted_scopes"], json!([POSTS]));
    for (query, expected) in [
        (format!("status=all&scope={DMS}"), vec![id.clone()]),
        ("status=all&scope=sensitive".into(), vec![id.clone()]),
        (format!("status=all&granted={POSTS}"), vec![id.clone()]),
        (format!("status=all&granted={DMS}"), vec![]),
        ("status=all&granted=sensitive".into(), vec![]),
        (format!("status=all&scope={DMS}&granted={POSTS}"), vec![id.clone()]),
        (format!("scope={DMS}"), vec![]),
    ] {
        let page = queue(&mut rev, &query).await;
        assert_eq!(ids(&page), expected, "{query}");
        assert_eq!(page["total"].as_u64(), Some(expected.len() as u64), "counted from the scope rows: {query}");
    }
    let approved = application::Entity::find_by_id(&id).one(app.services.db()).await.unwrap().unwrap();
    let copied: Vec<_> = application_scope::Entity::find()
        .filter(application_scope::Column::ApplicationId.eq(&id))
        .all(app.services.db())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.status, r.submitted_at, r.due_at))
        .collect();
    assert_eq!(copied.len(), 4, "three requested, one granted");
    assert!(
        copied.iter().all(|keys| *keys == (Some("approved".into()), approved.submitted_at, approved.due_at)),
        "the scope rows follow the application's status and dates: {copied:?}"
    );

    // A second application drops direct messages from its draft before submitting: it no
    // longer requests them.
    let (_, second) = common::fixtures::ready_to_submit(&mut dev).await;
    let second_path = format!("/api/v1/applications/{second}");
    let mut patch = common::fixtures::complete_patch();
    patch["scopes"] = json!([{"name": DMS, "justification": "To keep the person's conversations."}]);
    dev.patch_json(&second_path, patch).await;
    dev.patch_json(&second_path, common::fixtures::complete_patch()).await;
    let (status, body) = dev.post_json(&format!("{second_path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&queue(&mut rev, &format!("status=all&scope={DMS}")).await), [id.as_str()]);
    assert_eq!(ids(&queue(&mut rev, &format!("scope={POSTS}")).await), [second.as_str()]);
    let rows = application_scope::Entity::find()
        .filter(application_scope::Column::ApplicationId.eq(&second))
        .all(app.services.db())
        .await
        .unwrap();
    let mut rows: Vec<(String, String)> = rows.into_iter().map(|r| (r.kind, r.scope)).collect();
    rows.sort();
    assert_eq!(
        rows,
        [("requested".into(), "portability.connections.single".into()), ("requested".into(), POSTS.into())],
        "one row per requested scope, nothing granted"
    );
    let (status, body) = rev.get_json("/api/v1/review/queue?granted=portability.everything").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["granted"].is_array(), "{body}");
}

/// Follows `next` links from the first page to the last, checking each page's `previous`
/// leads back to the page before; the ids in order.
async fn walk(rev: &mut Client, filters: &str) -> Vec<String> {
    let mut pages = vec![queue(rev, filters).await];
    assert_eq!(pages[0]["page"], 1);
    assert!(pages[0]["previous"].is_null(), "{filters}: the first page has no previous");
    while let Some(next) = pages.last().unwrap()["next"].as_str().map(str::to_owned) {
        let page = queue(rev, &format!("{filters}&after={next}")).await;
        assert_eq!(page["page"], pages.len() as u64 + 1, "{filters}");
        let previous = page["previous"].as_str().expect("a later page has a previous").to_owned();
        let back = queue(rev, &format!("{filters}&before={previous}")).await;
        assert_eq!(ids(&back), ids(pages.last().unwrap()), "{filters}: previous leads back");
        assert_eq!(back["page"], page["page"].as_u64().unwrap() - 1, "{filters}");
        pages.push(page);
    }
    for page in &pages[..pages.len() - 1] {
        assert_eq!(
            page["items"].as_array().unwrap().len() as u64,
            QUEUE_PAGE_SIZE,
            "{filters}: only the last is short"
        );
    }
    pages.iter().flat_map(ids).collect()
}

#[tokio::test]
async fn pages_follow_one_another_by_position_through_ties_and_new_arrivals() {
    let app = TestApp::spawn().await;
    let (_, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    // 59 applications with one submission time and one due date, and the original, later.
    let tied_at = Utc::now() - chrono::Duration::days(3);
    let mut tied = copies(&app, &id, 59, tied_at).await;
    tied.sort();

    for sort in ["age", "due", "newest"] {
        let walked = walk(&mut rev, &format!("sort={sort}")).await;
        assert_eq!(walked.len(), 60, "{sort}: every application once");
        let (alone, rest) = if sort == "newest" { (&walked[0], &walked[1..]) } else { (&walked[59], &walked[..59]) };
        assert_eq!(alone, &id, "{sort}: the original is submitted (and due) later than the copies");
        let mut rest = rest.to_vec();
        rest.sort();
        assert_eq!(rest, tied, "{sort}");
        // Ties are broken by id, in the database's order: the same each time.
        assert_eq!(walk(&mut rev, &format!("sort={sort}")).await, walked, "{sort}");
    }

    // Numbered pages still work, and agree with the links.
    let first = queue(&mut rev, "").await;
    let second_by_number = queue(&mut rev, "page=2").await;
    let next = first["next"].as_str().unwrap().to_owned();
    assert_eq!(ids(&queue(&mut rev, &format!("after={next}")).await), ids(&second_by_number));

    // Applications submitted meanwhile, before the first page's rows: a numbered page would
    // now repeat rows, the link goes on where the first page ended.
    copies(&app, &id, 3, tied_at - chrono::Duration::days(1)).await;
    let second = queue(&mut rev, &format!("after={next}")).await;
    assert_eq!(ids(&second), ids(&second_by_number));
    assert_ne!(ids(&queue(&mut rev, "page=2").await), ids(&second_by_number));
    // Going back from there shows the first page as it is now, full, with the newcomers.
    let previous = second["previous"].as_str().unwrap().to_owned();
    let back = queue(&mut rev, &format!("before={previous}")).await;
    assert_eq!(back["page"], 2, "the newcomers make room for a page before it");
    let back_again = queue(&mut rev, &format!("before={}", back["previous"].as_str().unwrap())).await;
    assert_eq!(back_again["page"], 1);
    assert!(back_again["previous"].is_null());
    assert_eq!(back_again["items"].as_array().unwrap().len() as u64, QUEUE_PAGE_SIZE);

    // A link of another sort order, or one the queue never wrote, is refused by name.
    for (query, field) in [(format!("sort=due&after={next}"), "after"), ("before=age~1~x~y".into(), "before")] {
        let (status, body) = rev.get_json(&format!("/api/v1/review/queue?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body["error"]["fields"][field].is_array(), "{query}: {body}");
    }
}

#[tokio::test]
async fn counts_are_exact_up_to_the_bound_and_say_more_beyond() {
    let app = TestApp::spawn().await;
    let (_, mut rev, id) = with_direct_messages(&app).await;
    submitted_as(&app, "other@example.com").await;
    let page = queue(&mut rev, "").await;
    assert_eq!((page["total"].as_u64(), page["total_exceeds"].as_bool()), (Some(2), Some(false)));
    let page = queue(&mut rev, &format!("scope={DMS}")).await;
    assert_eq!((page["total"].as_u64(), page["total_exceeds"].as_bool()), (Some(1), Some(false)));

    let bound = QUEUE_COUNT_BOUND as usize;
    copies(&app, &id, bound - 1, Utc::now()).await;
    let page = queue(&mut rev, &format!("scope={DMS}")).await;
    assert_eq!(
        (page["total"].as_u64(), page["total_exceeds"].as_bool()),
        (Some(1000), Some(false)),
        "exactly the bound"
    );
    let page = queue(&mut rev, "").await;
    assert_eq!((page["total"].as_u64(), page["total_exceeds"].as_bool()), (Some(1000), Some(true)), "one past it");
    let page = queue(&mut rev, &format!("scope={POSTS}&q=Zo%C3%AB")).await;
    assert_eq!(page["total_exceeds"], true, "every application requests posts");
    let page = queue(&mut rev, "assignee=nobody&scope=portability.connections.single").await;
    assert_eq!(
        (page["total"].as_u64(), page["total_exceeds"].as_bool()),
        (Some(1000), Some(false)),
        "the copies and the other application are assigned to nobody, the original is"
    );
    let page = queue(&mut rev, "assignee=me").await;
    assert_eq!((page["total"].as_u64(), page["total_exceeds"].as_bool()), (Some(1), Some(false)), "the original alone");
    assert_eq!(ids(&page), [id.as_str()]);

    let r = rev.get("/review").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("more than 1,000 in all"));
}

#[tokio::test]
async fn the_queue_reads_indexes_on_postgresql() {
    let on_postgres = std::env::var("PORTCULLIS_TEST_DATABASE").is_ok_and(|v| v.starts_with("postgres"));
    if !on_postgres {
        eprintln!("skipped: PostgreSQL only (set PORTCULLIS_TEST_DATABASE)");
        return;
    }
    let app = TestApp::spawn().await;
    let (_, mut rev, id) = with_direct_messages(&app).await;
    copies(&app, &id, 3000, Utc::now() - chrono::Duration::days(2)).await;
    let db = app.services.db();
    db.execute_unprepared("ANALYZE").await.unwrap();
    queue(&mut rev, "").await;
    let reviewer =
        user::Entity::find().filter(user::Column::Email.eq("rev@example.com")).one(db).await.unwrap().unwrap();
    let ctx = Ctx::system().as_user(&reviewer).unwrap();

    for params in [
        QueueParams::default(),
        QueueParams { scope: Some(DMS.into()), ..Default::default() },
        QueueParams { scope: Some("sensitive".into()), ..Default::default() },
    ] {
        let statements = review::queue::statements(&app.services, &ctx, &params).await.unwrap();
        let count = statements.len() - 1;
        assert!(count >= 1, "the rows, then the count");
        // The test's few thousand rows fit in a few pages, where a sequential scan would be
        // cheaper: with it ruled out, the plan shows which indexes can answer the query.
        let txn = db.begin().await.unwrap();
        txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
        for (n, statement) in statements.into_iter().enumerate() {
            let explain = Statement::from_sql_and_values(
                statement.db_backend,
                format!("EXPLAIN {}", statement.sql),
                statement.values.map(|v| v.0).unwrap_or_default(),
            );
            let plan: Vec<String> = txn
                .query_all_raw(explain)
                .await
                .unwrap()
                .into_iter()
                .map(|row| row.try_get_by_index::<String>(0).unwrap())
                .collect();
            let plan = plan.join("\n");
            let context = format!("{params:?}, statement {n}:\n{plan}");
            assert!(!plan.contains("Seq Scan"), "{context}");
            assert!(plan.contains("Index"), "{context}");
            if n < count {
                // Read in the index's order, a page's worth: no sort of the matching rows.
                assert!(!plan.contains("Sort"), "{context}");
                assert!(plan.contains("idx_applications_queue"), "{context}");
            }
            if params.scope.is_some() {
                assert!(plan.contains("application_scopes"), "{context}");
                if n == count {
                    // The scope's rows alone, in the index that carries their status and dates.
                    assert!(plan.contains("idx_application_scopes_keys"), "{context}");
                    assert!(!plan.contains("applications_pkey"), "{context}");
                }
            } else {
                assert!(!plan.contains("LIKE") && !plan.contains("~~"), "{context}");
            }
        }
        txn.rollback().await.unwrap();
    }
}
