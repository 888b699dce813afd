use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use portcullis_domain::review::template::{ChecklistEditorView, TemplateInput, TemplateView};

#[cfg(feature = "ssr")]
use {super::ssr::caller, portcullis_service::review::checklists};

#[server(prefix = "/rpc", endpoint = "checklist_editor")]
pub async fn checklist_editor(kind: String) -> Result<ChecklistEditorView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(checklists::editor(&services, &ctx, &kind).await?)
}

/// JSON, since the items are a nested list.
#[server(prefix = "/rpc", endpoint = "publish_checklist", input = Json)]
pub async fn publish_checklist(kind: String, input: TemplateInput) -> Result<TemplateView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(checklists::publish(&services, &ctx, &kind, input).await?)
}
