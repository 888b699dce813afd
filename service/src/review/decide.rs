use super::{check_outsider, clock, gate_refusal, set_clock};
use crate::Services;
use crate::applications::access::{Access, load};
use crate::applications::submission::{application_link, org_recipients};
use crate::applications::{catalogue, events, status_of, view};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, checklist_item, checklist_template, decision};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::tokens::new_id;
use portcullis_domain::application::lifecycle::{Action, Party, transition};
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::review::checklist::{ChecklistKind, ReviewItem};
use portcullis_domain::review::decision::{DecisionInput, DecisionKind};
use portcullis_domain::review::due::ReviewClock;
use portcullis_domain::review::gate::{self, ApprovalOutcome, ApprovalRequest, GateError};
use portcullis_domain::role::Permission;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use std::collections::BTreeSet;

/// The current templates' items, without verdicts: what an approval must pass.
async fn checklist_items(txn: &DatabaseTransaction) -> ServiceResult<Vec<ReviewItem>> {
    let mut items = Vec::new();
    for kind in ChecklistKind::ALL {
        let Some(template) = checklist_template::Entity::find()
            .filter(checklist_template::Column::Kind.eq(kind.as_str()))
            .order_by_desc(checklist_template::Column::Version)
            .one(txn)
            .await?
        else {
            continue;
        };
        for item in checklist_item::Entity::find()
            .filter(checklist_item::Column::TemplateId.eq(&template.id))
            .order_by_asc(checklist_item::Column::Position)
            .all(txn)
            .await?
        {
            items.push(ReviewItem {
                item_id: item.id,
                checklist: kind,
                title: item.title,
                required: item.required,
                applies_to: item.applies_to.split_whitespace().map(str::to_owned).collect(),
                verdict: None,
                note: String::new(),
            });
        }
    }
    Ok(items)
}

/// Decides the application's current revision. Exactly one final decision per revision:
/// a competing one fails on the unique key and is reported as a conflict.
pub async fn decide(services: &Services, ctx: &Ctx, id: &str, input: DecisionInput) -> ServiceResult<ApplicationView> {
    let actor = ctx.require(Permission::Review)?;
    input.check_message().map_err(|m| ServiceError::field("message", m))?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load(&txn, ctx, id).await?;
    if access.is_member() {
        return Err(gate_refusal(GateError::OwnOrganisation));
    }
    let app = access.application.clone();
    check_outsider(&txn, &app, &actor.user_id).await?;
    let status = status_of(&app);
    let (action, kind) = match input.decision {
        DecisionKind::Approve => (Action::Approve, "approved"),
        DecisionKind::RequestChanges => (Action::RequestChanges, "changes_requested"),
        DecisionKind::Reject => (Action::Reject, "rejected"),
    };
    let next = transition(status, action, access.party).map_err(|e| access.refusal(e))?;
    let granted = if input.decision == DecisionKind::Approve {
        let requested: Vec<String> = app.requested_scopes.split_whitespace().map(str::to_owned).collect();
        let sensitive: BTreeSet<String> =
            catalogue(&txn).await?.into_iter().filter(|s| s.sensitive).map(|s| s.name).collect();
        let items = checklist_items(&txn).await?;
        let request = ApprovalRequest {
            reviewer_id: &actor.user_id,
            reviewer_is_member: false,
            requested: &requested,
            granted: &input.granted_scopes,
            sensitive: &sensitive,
            items: &items,
            prior_approvals: &[],
        };
        match gate::approve(&request).map_err(gate_refusal)? {
            ApprovalOutcome::Approved { granted } => granted,
            ApprovalOutcome::AwaitingSecondApproval => {
                return Err(ServiceError::Conflict("A second reviewer must approve sensitive scopes.".into()));
            }
        }
    } else {
        Vec::new()
    };
    let decision_id = new_id();
    decision::ActiveModel {
        id: Set(decision_id.clone()),
        application_id: Set(app.id.clone()),
        revision: Set(app.revision),
        kind: Set(kind.to_owned()),
        granted_scopes: Set(granted.join(" ")),
        message: Set(input.message.trim().to_owned()),
        decided_by: Set(actor.user_id.clone()),
        final_key: Set(Some(format!("{}/{}", app.id, app.revision))),
        decided_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|_| ServiceError::Conflict("Another reviewer decided this application a moment ago.".into()))?;
    let mut active = app.clone().into_active_model();
    active.status = Set(next.as_str().to_owned());
    active.version = Set(app.version + 1);
    active.updated_at = Set(now);
    let paused = clock(&app, services.config().review_target_days).pause(now);
    set_clock(
        &mut active,
        if next == ApplicationStatus::ChangesRequested {
            paused
        } else {
            ReviewClock { running_since: None, ..paused }
        },
    );
    if next == ApplicationStatus::Approved {
        active.granted_scopes = Set(Some(granted.join(" ")));
    }
    let app = active.update(&txn).await?;
    events::record(
        &txn,
        now,
        &app.id,
        kind,
        Some(&actor.user_id),
        json!({ "revision": app.revision, "message": input.message.trim(), "failed_items": Vec::<String>::new() }),
    )
    .await?;
    notify(services, &txn, &app, next).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.decided", "application", app.id.clone()).details(json!({
            "decision": kind, "revision": app.revision, "granted_scopes": granted, "decision_id": decision_id,
        })),
    )
    .await?;
    let view = view(&txn, &Access { application: app, party: Party::Reviewer }).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}

async fn notify(
    services: &Services,
    txn: &DatabaseTransaction,
    app: &application::Model,
    status: ApplicationStatus,
) -> ServiceResult<()> {
    let link = application_link(services, &app.id);
    for (to, name) in org_recipients(txn, &app.org_id).await? {
        let mail = match status {
            ApplicationStatus::ChangesRequested => {
                templates::changes_requested(&to, &name, &app.name, &app.reference, &link)
            }
            other => templates::decision(&to, &name, &app.name, &app.reference, &other.label().to_lowercase(), &link),
        };
        enqueue(txn, services.clock(), mail).await?;
    }
    Ok(())
}
