use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use portcullis_domain::admin::Page;
use portcullis_domain::application::content::ApplicationPatch;
use portcullis_domain::application::mockup::MockupView;
use portcullis_domain::application::scope::ScopeView;
use portcullis_domain::application::view::{
    ApplicationQuery, ApplicationSummary, ApplicationView, CreateApplicationInput, MessageInput, MessageView,
    RevisionComparison, RevisionView, TimelineEntry,
};
use portcullis_service::ServiceError;
use portcullis_service::applications::{self, events, messages, mockups, submission};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct ApplicationBody {
    application: ApplicationView,
}

pub(super) fn body(application: ApplicationView) -> Json<ApplicationBody> {
    Json(ApplicationBody { application })
}

pub async fn scopes(State(state): State<AppState>) -> ApiResult<Json<Vec<ScopeView>>> {
    Ok(Json(applications::catalogue(state.services.db()).await.map_err(ApiError::from)?))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateApplicationInput>,
) -> ApiResult<(StatusCode, Json<ApplicationBody>)> {
    let application = applications::create(&state.services, &caller.ctx, input).await?;
    Ok((StatusCode::CREATED, body(application)))
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ApplicationQuery>,
) -> ApiResult<Json<Page<ApplicationSummary>>> {
    Ok(Json(applications::list(&state.services, &caller.ctx, &query).await?))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(applications::get(&state.services, &caller.ctx, &id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ApplicationPatch>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(applications::update(&state.services, &caller.ctx, &id, patch).await?))
}

pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(submission::submit(&state.services, &caller.ctx, &id).await?))
}

pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(submission::withdraw(&state.services, &caller.ctx, &id).await?))
}

pub async fn recertify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(submission::recertify(&state.services, &caller.ctx, &id).await?))
}

#[derive(Serialize)]
pub struct TimelineBody {
    timeline: Vec<TimelineEntry>,
}

pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TimelineBody>> {
    let access = applications::access::load(state.services.db(), &caller.ctx, &id).await?;
    Ok(Json(TimelineBody { timeline: events::timeline(state.services.db(), &access.application.id).await? }))
}

#[derive(Serialize)]
pub struct RevisionsBody {
    revisions: Vec<RevisionView>,
}

pub async fn revisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RevisionsBody>> {
    Ok(Json(RevisionsBody { revisions: submission::revisions(&state.services, &caller.ctx, &id).await? }))
}

#[derive(Deserialize)]
pub struct CompareQuery {
    from: i64,
    to: i64,
}

pub async fn compare(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> ApiResult<Json<RevisionComparison>> {
    Ok(Json(submission::compare_revisions(&state.services, &caller.ctx, &id, query.from, query.to).await?))
}

/// A page of the thread, under `messages` as before paging, with the other lists' counts.
#[derive(Serialize)]
pub struct MessagesBody {
    messages: Vec<MessageView>,
    page: u64,
    per_page: u64,
    total: u64,
}

#[derive(Deserialize)]
pub struct PageQuery {
    pub page: Option<u64>,
}

#[derive(Serialize)]
pub struct MessageBody {
    message: MessageView,
}

pub async fn messages(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<MessagesBody>> {
    let thread = messages::list(&state.services, &caller.ctx, &id, query.page).await?;
    Ok(Json(MessagesBody { messages: thread.items, page: thread.page, per_page: thread.per_page, total: thread.total }))
}

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
pub async fn upload_mockup(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> ApiResult<(StatusCode, Json<MockupView>)> {
    let mut label = None;
    let mut received = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("label") => label = Some(field.text().await.map_err(multipart_error)?),
            Some("file") if received.is_none() => {
                let stream = field.map_err(|e| e.body_text());
                received = Some(mockups::receive(&state.services, &caller.ctx, &id, Box::pin(stream)).await?);
            }
            _ => {}
        }
    }
    let received = received.ok_or_else(|| ServiceError::field("file", "Choose a file to upload."))?;
    let label = label.ok_or_else(|| ServiceError::field("label", "Give the mockup a label."))?;
    let mockup = mockups::attach(&state.services, &caller.ctx, &id, received, &label).await?;
    Ok((StatusCode::CREATED, Json(mockup)))
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ServiceError::TooLarge("A mockup can be at most 20 MB.".into()).into()
    } else {
        ApiError::BadRequest(format!("The upload is not valid multipart/form-data: {}", error.body_text()))
    }
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    /// `1`: show an image in the browser rather than download it. PDFs are always downloaded.
    #[serde(default)]
    view: Option<u8>,
}

/// Served with a safe name, `nosniff` and a sandboxing CSP, so a file can never run as a
/// page of the portal: as an attachment, or with `?view=1` an image inline. Browsers' PDF
/// viewers do not run in a sandboxed document, and a PDF shown inline would run its scripts
/// with the portal's origin and cookies, so PDFs are only ever attachments.
pub async fn download_mockup(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, mockup_id)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<DownloadQuery>,
) -> ApiResult<Response> {
    let download = mockups::download(&state.services, &caller.ctx, &id, &mockup_id).await?;
    let inline = query.view == Some(1) && download.content_type != "application/pdf";
    let disposition = format!("{}; filename=\"{}\"", if inline { "inline" } else { "attachment" }, download.file_name);
    let policy = "sandbox; default-src 'none'";
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(download.body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&download.content_type).expect("known type"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(download.size));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("ascii file name"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

pub async fn delete_mockup(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, mockup_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    mockups::delete(&state.services, &caller.ctx, &id, &mockup_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
