use super::openapi::{MockupFile, MockupUpload};
use crate::http::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_domain::admin::{Page, PageNumber};
use portcullis_domain::application::appeal::{AppealAttachmentView, AppealDecisionInput, AppealInput};
use portcullis_domain::application::content::ApplicationPatch;
use portcullis_domain::application::mockup::MockupView;
use portcullis_domain::application::scope::ScopeView;
use portcullis_domain::application::view::{
    ApplicationQuery, ApplicationSummary, ApplicationView, CreateApplicationInput, MessageInput, MessageView,
    RevisionComparison, RevisionView, TimelineEntry,
};
use portcullis_domain::ids::{ApplicationId, MockupId};
use portcullis_service::applications::{self, appeal_attachments, appeals, messages, mockups, submission};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ApplicationBody {
    application: ApplicationView,
}

pub(super) fn body(application: ApplicationView) -> Json<ApplicationBody> {
    Json(ApplicationBody { application })
}

#[utoipa::path(
    get,
    path = "/scopes",
    tag = "applications",
    summary = "The scope catalogue.",
    responses(
        (status = 200, description = "Every scope, in display order.", body = Vec<ScopeView>),
    ),
    security(()),
)]
pub async fn scopes(State(state): State<AppState>) -> ApiResult<Json<Vec<ScopeView>>> {
    Ok(Json(applications::scopes(&state.services).await.map_err(ApiError::from)?))
}

#[utoipa::path(
    post,
    path = "/applications",
    operation_id = "create_application",
    tag = "applications",
    summary = "Start a draft application for one of the caller's organisations.",
    request_body = CreateApplicationInput,
    responses(
        (status = 201, description = "Created in status draft.", body = ApplicationBody),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateApplicationInput>,
) -> ApiResult<(StatusCode, Json<ApplicationBody>)> {
    let application = applications::create(&state.services, &caller.ctx, input).await?;
    Ok((StatusCode::CREATED, body(application)))
}

#[utoipa::path(
    get,
    path = "/applications",
    operation_id = "list_applications",
    tag = "applications",
    summary = "Applications the caller may see: their organisations' (developers), plus every submitted one (reviewers, admins).",
    params(ApplicationQuery),
    responses(
        (status = 200, description = "A page of applications.", body = Page<ApplicationSummary>),
        (status = 400, description = "Malformed request.", body = ErrorBody),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ApplicationQuery>,
) -> ApiResult<Json<Page<ApplicationSummary>>> {
    Ok(Json(applications::list(&state.services, &caller.ctx, &query).await?))
}

#[utoipa::path(
    get,
    path = "/applications/{id}",
    operation_id = "get_application",
    tag = "applications",
    summary = "An application.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The application.", body = ApplicationBody),
    ),
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(applications::get(&state.services, &caller.ctx, &id).await?))
}

#[utoipa::path(
    patch,
    path = "/applications/{id}",
    tag = "applications",
    summary = "Save part of the form (draft or changes_requested only).",
    params(("id" = String, Path)),
    request_body = ApplicationPatch,
    responses(
        (status = 200, description = "Saved.", body = ApplicationBody),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 409, description = "Not editable in its status, or `version` is stale (then `error.current` holds the current application).", body = ErrorBody),
    ),
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ApplicationPatch>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(applications::update(&state.services, &caller.ctx, &id, patch).await?))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/submit",
    tag = "applications",
    summary = "Submit: every item is checked on the server; a new immutable revision is kept.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Submitted.", body = ApplicationBody),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 409, description = "Conflict or illegal state change.", body = ErrorBody),
        (status = 422, description = "Every missing or invalid item, in `fields`.", body = ErrorBody),
    ),
)]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(submission::submit(&state.services, &caller.ctx, &id).await?))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/withdraw",
    tag = "applications",
    summary = "Withdraw (owners only, until decided).",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Withdrawn.", body = ApplicationBody),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 409, description = "Conflict or illegal state change.", body = ErrorBody),
    ),
)]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(submission::withdraw(&state.services, &caller.ctx, &id).await?))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/recertify",
    tag = "applications",
    summary = "Send an approved application back to review as it stands (a new revision) to renew its production credentials before they expire; members of the organisation. Its credentials keep working meanwhile; after the new approval an admin issues the renewed set, and the previous set stops after the rotation overlap.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Submitted again for review.", body = ApplicationBody),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 409, description = "Not approved.", body = ErrorBody),
    ),
)]
pub async fn recertify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(submission::recertify(&state.services, &caller.ctx, &id).await?))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/appeal",
    tag = "applications",
    summary = "Appeal a rejection (owners of the organisation), once, within `PORTCULLIS_APPEAL_DAYS` (default 30) of it, with reasons. The application stays `rejected`; its `appeal` is `pending` until a reviewer who took no part in the rejection decides it.",
    params(("id" = String, Path)),
    request_body = AppealInput,
    responses(
        (status = 201, description = "Filed; the application with its `appeal`.", body = ApplicationBody),
        (status = 403, description = "Not an owner of the organisation.", body = ErrorBody),
        (status = 409, description = "Not rejected (`conflict`), the window has closed (`appeal_window_closed`), or this rejection was already appealed (`already_appealed`).", body = ErrorBody),
        (status = 422, description = "`reasons` missing or too long; `fields.reasons` says why.", body = ErrorBody),
    ),
)]
pub async fn appeal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AppealInput>,
) -> ApiResult<(StatusCode, Json<ApplicationBody>)> {
    let application = appeals::file(&state.services, &caller.ctx, &id, input).await?;
    Ok((StatusCode::CREATED, body(application)))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/appeal/decision",
    tag = "review",
    summary = "Decide a pending appeal (reviewers and admins who took no part in the rejection: no decision and no checklist verdict on the rejected revision). `upheld`: the rejection stands, for good. `overturned`: the application goes back to review as a new revision (`submitted`, `revision` + 1, a fresh due date). A reason is required for both.",
    params(("id" = String, Path)),
    request_body = AppealDecisionInput,
    responses(
        (status = 200, description = "Decided; the application as it is now.", body = ApplicationBody),
        (status = 403, description = "Not a reviewer (`forbidden`), or one who took part in the rejection or belongs to the organisation (`not_eligible_reviewer`).", body = ErrorBody),
        (status = 409, description = "No pending appeal (`no_pending_appeal`: none filed, or another reviewer decided it first).", body = ErrorBody),
        (status = 422, description = "`reason` missing or too long; `fields.reason` says why.", body = ErrorBody),
    ),
)]
pub async fn decide_appeal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AppealDecisionInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(appeals::decide(&state.services, &caller.ctx, &id, input).await?))
}

/// `multipart/form-data` with `file` and `label`, as for a mockup, through the same checks
/// and into the same organisation quota.
#[utoipa::path(
    post,
    path = "/applications/{id}/appeal/attachments",
    tag = "applications",
    summary = "Attach a file to the pending appeal (owners of the organisation): a multipart form of `file` and `label`, nothing else. Judged and limited as a mockup is (PNG, JPEG, WebP or PDF by content; at most 20 MB, 40 megapixels; the organisation's quota, shared with mockups); at most 5 per appeal. Frozen once the appeal is decided.",
    params(("id" = String, Path)),
    request_body(content = MockupUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored; it is in the application's `appeal.attachments`.", body = AppealAttachmentView),
        (status = 403, description = "Not an owner of the organisation.", body = ErrorBody),
        (status = 409, description = "No appeal was filed (`no_pending_appeal`), or it has been decided (`appeal_decided`).", body = ErrorBody),
        (status = 413, description = "Over a limit the message names: the file's 20 MB, the appeal's 5 files or the organisation's quota.", body = ErrorBody),
        (status = 422, description = "Not an accepted file (the message names the accepted types), no label, a field other than `file` and `label` or one sent twice, or a form that cannot be read.", body = ErrorBody),
        (status = 429, description = "The account already has 2 uploads in progress; see `Retry-After`.", body = ErrorBody),
    ),
)]
pub async fn upload_appeal_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<AppealAttachmentView>)> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| ApiError::BadRequest("Send the file as multipart/form-data.".into()))?;
    let form = multer::Multipart::new(body.into_data_stream(), boundary);
    let attachment = appeal_attachments::upload(&state.services, &caller.ctx, &id, form).await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Served as a mockup is: a safe name, `nosniff`, a sandboxing CSP; PDFs only as attachments.
#[utoipa::path(
    get,
    path = "/applications/{id}/appeal/attachments/{attachment_id}",
    tag = "applications",
    summary = "A file attached to the appeal, for the organisation's members, reviewers, admins and auditors (an auditor's reading is audited): as an attachment (nosniff, `sandbox` CSP); with `view=1` an image is served inline, a PDF still as an attachment.",
    params(("id" = String, Path), ("attachment_id" = String, Path), DownloadQuery),
    responses(
        (status = 200, description = "The file.", content((MockupFile = "image/png"), (MockupFile = "image/jpeg"), (MockupFile = "image/webp"), (MockupFile = "application/pdf"))),
        (status = 404, description = "No such application or attachment, or not one the caller may see.", body = ErrorBody),
    ),
)]
pub async fn download_appeal_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, attachment_id)): Path<(ApplicationId, String)>,
    ApiQuery(query): ApiQuery<DownloadQuery>,
) -> ApiResult<Response> {
    if query.view.is_some_and(|view| view > 1) {
        return Err(ApiError::BadRequest("`view` is 0 or 1.".into()));
    }
    let download = appeal_attachments::download(&state.services, &caller.ctx, &id, &attachment_id).await?;
    let inline = query.view == Some(1) && download.content_type != "application/pdf";
    Ok(file_response(download, inline))
}

#[utoipa::path(
    get,
    path = "/applications/{id}/appeal/attachments/{attachment_id}/thumbnail",
    tag = "applications",
    summary = "A small JPEG preview of an image attached to the appeal (at most 480 × 320), shown inline; PDFs have none (404).",
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses(
        (status = 200, description = "The preview.", content((MockupFile = "image/jpeg"))),
        (status = 404, description = "No such attachment, or a PDF.", body = ErrorBody),
    ),
)]
pub async fn appeal_attachment_thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, attachment_id)): Path<(ApplicationId, String)>,
) -> ApiResult<Response> {
    let thumbnail = appeal_attachments::thumbnail(&state.services, &caller.ctx, &id, &attachment_id).await?;
    Ok(file_response(thumbnail, true))
}

#[derive(Serialize, ToSchema)]
pub struct TimelineBody {
    timeline: Vec<TimelineEntry>,
}

#[utoipa::path(
    get,
    path = "/applications/{id}/timeline",
    tag = "applications",
    summary = "What happened to the application, in order.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The timeline.", body = TimelineBody),
    ),
)]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TimelineBody>> {
    Ok(Json(TimelineBody { timeline: applications::timeline(&state.services, &caller.ctx, &id).await? }))
}

#[derive(Serialize, ToSchema)]
pub struct RevisionsBody {
    revisions: Vec<RevisionView>,
}

#[utoipa::path(
    get,
    path = "/applications/{id}/revisions",
    tag = "applications",
    summary = "Submitted revisions.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Revisions, oldest first.", body = RevisionsBody),
    ),
)]
pub async fn revisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RevisionsBody>> {
    Ok(Json(RevisionsBody { revisions: submission::revisions(&state.services, &caller.ctx, &id).await? }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    from: i64,
    to: i64,
}

#[utoipa::path(
    get,
    path = "/applications/{id}/revisions/compare",
    tag = "applications",
    summary = "Field-by-field differences between two revisions (mockups by label and hash).",
    params(("id" = String, Path), CompareQuery),
    responses(
        (status = 200, description = "The changes.", body = RevisionComparison),
        (status = 400, description = "Malformed request.", body = ErrorBody),
    ),
)]
pub async fn compare(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> ApiResult<Json<RevisionComparison>> {
    Ok(Json(submission::compare_revisions(&state.services, &caller.ctx, &id, query.from, query.to).await?))
}

/// A page of the thread, under `messages` as before paging, with the other lists' counts.
#[derive(Serialize, ToSchema)]
pub struct MessagesBody {
    messages: Vec<MessageView>,
    page: u64,
    per_page: u64,
    total: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    pub page: Option<PageNumber>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageBody {
    message: MessageView,
}

#[utoipa::path(
    get,
    path = "/applications/{id}/messages",
    tag = "applications",
    summary = "The message thread between the organisation and the reviewers.",
    params(("id" = String, Path), PageQuery),
    responses(
        (status = 200, description = "One page of the thread, oldest first within it; page 1 holds the latest messages.", body = MessagesBody),
    ),
)]
pub async fn messages(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<MessagesBody>> {
    let thread = messages::list(&state.services, &caller.ctx, &id, query.page).await?;
    Ok(Json(MessagesBody { messages: thread.items, page: thread.page, per_page: thread.per_page, total: thread.total }))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/messages",
    tag = "applications",
    summary = "Write to the other side; they are notified by mail (without the message).",
    params(("id" = String, Path)),
    request_body = MessageInput,
    responses(
        (status = 201, description = "Posted.", body = MessageBody),
        (status = 429, description = "Too many messages from this address; see `Retry-After`.", body = ErrorBody),
    ),
)]
pub async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<(StatusCode, Json<MessageBody>)> {
    let message = messages::post(&state.services, &caller.ctx, &id, input).await?;
    Ok((StatusCode::CREATED, Json(MessageBody { message })))
}

/// `multipart/form-data` with `file` and `label`, in either order. The file is streamed:
/// it is never held in memory whole, and refused as soon as it passes the size limit.
#[utoipa::path(
    post,
    path = "/applications/{id}/mockups",
    tag = "applications",
    summary = "Upload a UX mockup: a multipart form of `file` and `label`, nothing else. PNG, JPEG, WebP or PDF judged by content (a PDF in a child process under memory and time limits; no stream may expand past 160 MB, nor all past 1 GB); at most 20 MB (refused while streaming), 40 megapixels, 20 per application and the organisation's quota (`PORTCULLIS_ORG_UPLOAD_QUOTA_MB`); at most 2 uploads in progress per account.",
    params(("id" = String, Path)),
    request_body(content = MockupUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored.", body = MockupView),
        (status = 409, description = "Conflict or illegal state change.", body = ErrorBody),
        (status = 413, description = "Over a limit the message names: the file's 20 MB, the application's 20 mockups or the organisation's quota.", body = ErrorBody),
        (status = 422, description = "Not an accepted file (damaged, expanding past the limits, too complex to check), no label, a field other than `file` and `label` or one sent twice, or a form that cannot be read.", body = ErrorBody),
        (status = 429, description = "The account already has 2 uploads in progress; see `Retry-After`.", body = ErrorBody),
    ),
)]
pub async fn upload_mockup(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<MockupView>)> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| ApiError::BadRequest("Send the mockup as multipart/form-data.".into()))?;
    let form = multer::Multipart::new(body.into_data_stream(), boundary);
    let mockup = mockups::upload(&state.services, &caller.ctx, &id, form).await?;
    Ok((StatusCode::CREATED, Json(mockup)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DownloadQuery {
    /// `1`: show an image in the browser rather than download it (`0`, the default, downloads
    /// it). PDFs are always downloaded.
    #[serde(default)]
    #[param(minimum = 0, maximum = 1)]
    view: Option<u8>,
}

/// Served with a safe name, `nosniff` and a sandboxing CSP, so a file can never run as a
/// page of the portal: as an attachment, or with `?view=1` an image inline. Browsers' PDF
/// viewers do not run in a sandboxed document, and a PDF shown inline would run its scripts
/// with the portal's origin and cookies, so PDFs are only ever attachments.
#[utoipa::path(
    get,
    path = "/applications/{id}/mockups/{mockup_id}",
    tag = "applications",
    summary = "The mockup file, as an attachment (nosniff, `sandbox` CSP); with `view=1` an image is served inline, a PDF still as an attachment.",
    params(("id" = String, Path), ("mockup_id" = String, Path), DownloadQuery),
    responses(
        (status = 200, description = "The file.", content((MockupFile = "image/png"), (MockupFile = "image/jpeg"), (MockupFile = "image/webp"), (MockupFile = "application/pdf"))),
    ),
)]
pub async fn download_mockup(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, mockup_id)): Path<(ApplicationId, MockupId)>,
    ApiQuery(query): ApiQuery<DownloadQuery>,
) -> ApiResult<Response> {
    if query.view.is_some_and(|view| view > 1) {
        return Err(ApiError::BadRequest("`view` is 0 or 1.".into()));
    }
    let download = mockups::download(&state.services, &caller.ctx, &id, &mockup_id).await?;
    let inline = query.view == Some(1) && download.content_type != "application/pdf";
    Ok(file_response(download, inline))
}

/// Made from the image when it was uploaded (or when first asked for, for older mockups), so
/// a gallery never loads the full original.
#[utoipa::path(
    get,
    path = "/applications/{id}/mockups/{mockup_id}/thumbnail",
    tag = "applications",
    summary = "A small JPEG preview of an image mockup (at most 480 × 320), shown inline; PDFs have none (404).",
    params(("id" = String, Path), ("mockup_id" = String, Path)),
    responses(
        (status = 200, description = "The preview.", content((MockupFile = "image/jpeg"))),
        (status = 404, description = "No such mockup, or a PDF.", body = ErrorBody),
    ),
)]
pub async fn mockup_thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, mockup_id)): Path<(ApplicationId, MockupId)>,
) -> ApiResult<Response> {
    let thumbnail = mockups::thumbnail(&state.services, &caller.ctx, &id, &mockup_id).await?;
    Ok(file_response(thumbnail, true))
}

/// A stored file with a safe name, `nosniff` and a sandboxing CSP.
fn file_response(download: mockups::Download, inline: bool) -> Response {
    let disposition = format!("{}; filename=\"{}\"", if inline { "inline" } else { "attachment" }, download.file_name);
    let policy = "sandbox; default-src 'none'";
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(download.body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&download.content_type).expect("known type"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(download.size));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("ascii file name"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[utoipa::path(
    delete,
    path = "/applications/{id}/mockups/{mockup_id}",
    tag = "applications",
    summary = "Remove a mockup from an editable application (kept for earlier revisions).",
    params(("id" = String, Path), ("mockup_id" = String, Path)),
    responses(
        (status = 204, description = "Removed."),
        (status = 409, description = "Conflict or illegal state change.", body = ErrorBody),
    ),
)]
pub async fn delete_mockup(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, mockup_id)): Path<(ApplicationId, MockupId)>,
) -> ApiResult<StatusCode> {
    mockups::delete(&state.services, &caller.ctx, &id, &mockup_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
