use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use portcullis_domain::application::scope::ScopeView;
use portcullis_domain::review::template::{TemplateInput, TemplateView, VersionSummary};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {super::ssr::caller, portcullis_service::applications, portcullis_service::review::checklists};

/// What the checklist editor needs: one checklist's latest version, its history, and the
/// scopes items can be limited to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistEditorData {
    pub template: TemplateView,
    pub versions: Vec<VersionSummary>,
    pub catalogue: Vec<ScopeView>,
}

#[server(prefix = "/rpc", endpoint = "checklist_editor")]
pub async fn checklist_editor(kind: String) -> Result<ChecklistEditorData, AppError> {
    let (services, ctx, _) = caller().await?;
    let template = checklists::get(&services, &ctx, &kind, None).await?;
    let versions = checklists::versions(&services, &ctx, &kind).await?;
    let catalogue = applications::catalogue(services.db()).await?;
    Ok(ChecklistEditorData { template, versions, catalogue })
}

/// JSON, since the items are a nested list.
#[server(prefix = "/rpc", endpoint = "publish_checklist", input = Json)]
pub async fn publish_checklist(kind: String, input: TemplateInput) -> Result<TemplateView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(checklists::publish(&services, &ctx, &kind, input).await?)
}
