use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::report::ProgrammeReport;

#[cfg(feature = "ssr")]
use {super::ssr::caller, portcullis_domain::report::ReportQuery};

#[server(prefix = "/rpc", endpoint = "programme_report")]
pub async fn load_programme_report(
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    scope: Option<String>,
) -> Result<ProgrammeReport, AppError> {
    let (services, ctx, _) = caller().await?;
    let query = ReportQuery { from, to, period, scope };
    Ok(portcullis_service::reports::programme(&services, &ctx, &query).await?)
}
