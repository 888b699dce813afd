use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portcullis_domain::report::{self, ProgrammeReport, ReportQuery};
use portcullis_service::reports;

#[utoipa::path(
    get,
    path = "/reports",
    tag = "reports",
    summary = "The programme report (admins and auditors): per week, month or quarter, applications received (first submitted), approved, sent back for changes, rejected and withdrawn; time from first submission to first decision in business days (nearest-rank median and 90th percentile); review due dates missed; production credentials active at the end of each period (now, for the current one); appeals. For every scope or one, plus each scope's totals over the range. Dates widen to whole periods; at most 5 years.",
    params(ReportQuery),
    responses(
        (status = 200, description = "The report.", body = ProgrammeReport),
        (status = 403, description = "Not an admin or auditor.", body = ErrorBody),
        (status = 422, description = "A date, the period, the range or the scope is not valid; `fields` names it.", body = ErrorBody),
    ),
)]
pub async fn programme(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Json<ProgrammeReport>> {
    Ok(Json(reports::programme(&state.services, &caller.ctx, &query).await?))
}

#[utoipa::path(
    get,
    path = "/reports.csv",
    tag = "reports",
    summary = "The same report's periods as CSV (RFC 4180, an attachment): a header row, then one row per period with the columns `period,start,end,scope,received,approved,changes_requested,rejected,withdrawn,first_decisions,median_business_days,p90_business_days,sla_breaches,active_production_credentials,appeals_filed,appeals_upheld,appeals_overturned`; `scope` is `all` without a scope filter, and the median and percentile are empty for a period without first decisions.",
    params(ReportQuery),
    responses(
        (status = 200, description = "The CSV file.", content_type = "text/csv", body = String),
        (status = 403, description = "Not an admin or auditor.", body = ErrorBody),
        (status = 422, description = "A date, the period, the range or the scope is not valid; `fields` names it.", body = ErrorBody),
    ),
)]
pub async fn programme_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let report = reports::programme(&state.services, &caller.ctx, &query).await?;
    let disposition = format!("attachment; filename=\"portcullis-report-{}-{}.csv\"", report.from, report.to);
    let mut response = report::csv(&report).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("ascii dates"));
    Ok(response)
}
