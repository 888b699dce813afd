//! Sending a file (a mockup, or a file attached to an appeal) with progress and a way to cancel. `fetch` reports no upload progress, so
//! the form goes through `XMLHttpRequest` to the JSON API's upload route, which takes the
//! session cookie like every page.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::closure::Closure;
use portcullis_domain::account::FieldErrors;
use serde::Deserialize;
use web_sys::{FormData, ProgressEvent, XmlHttpRequest};

/// Where an upload stands, for the form to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadState {
    Idle,
    /// Percent of the file sent; `None` until the browser knows the size.
    Sending(Option<u32>),
    Done,
    Cancelled,
    Failed(String),
}

/// One upload at a time: the request, and its progress handler, which must live as long as
/// the request does.
pub struct Upload {
    request: XmlHttpRequest,
    _progress: Closure<dyn FnMut(ProgressEvent)>,
}

impl Upload {
    /// Posts `form` (the `label` and `file` fields) to the upload route `url` and reports
    /// through `state`; `done` runs after a successful upload.
    pub fn start(
        url: &str,
        form: &FormData,
        state: RwSignal<UploadState>,
        done: impl FnOnce() + 'static,
    ) -> Result<Upload, String> {
        let fail = |_| "The browser could not start the upload.".to_owned();
        let request = XmlHttpRequest::new().map_err(fail)?;
        request.open("POST", url).map_err(fail)?;
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            let percent = event.length_computable().then(|| percent(event.loaded(), event.total()));
            state.set(UploadState::Sending(percent));
        });
        request.upload().map_err(fail)?.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        let finished = request.clone();
        let on_end = Closure::once_into_js(move || {
            // An abort has already said so; anything else is the server's answer or a lost line.
            if state.get_untracked() == UploadState::Cancelled {
                return;
            }
            match finished.status().unwrap_or(0) {
                201 => {
                    state.set(UploadState::Done);
                    done();
                }
                0 => state.set(UploadState::Failed(
                    "The upload was interrupted. Check your connection and try again.".into(),
                )),
                _ => state
                    .set(UploadState::Failed(refusal(&finished.response_text().ok().flatten().unwrap_or_default()))),
            }
        });
        request.set_onloadend(Some(on_end.unchecked_ref()));
        state.set(UploadState::Sending(Some(0)));
        request.send_with_opt_form_data(Some(form)).map_err(fail)?;
        Ok(Upload { request, _progress: progress })
    }

    pub fn cancel(&self, state: RwSignal<UploadState>) {
        state.set(UploadState::Cancelled);
        let _ = self.request.abort();
    }
}

/// How far the upload is, with a button to cancel it, then how it ended.
#[component]
pub fn UploadProgress(
    state: RwSignal<UploadState>,
    request: StoredValue<Option<Upload>, LocalStorage>,
) -> impl IntoView {
    let cancel = move |_| {
        request.with_value(|r| {
            if let Some(r) = r {
                r.cancel(state)
            }
        })
    };
    view! {
        <div class="upload-status" role="status">
            {move || match state.get() {
                UploadState::Sending(percent) => view! {
                    <progress max="100" value=percent.map(|p| p.to_string()) aria-label="Upload progress"></progress>
                    " " {percent.map_or_else(|| "Uploading…".to_owned(), |p| format!("Uploading… {p}%"))}
                    " " <button type="button" class="button secondary small" on:click=cancel>"Cancel upload"</button>
                }.into_any(),
                UploadState::Done => "Uploaded.".into_any(),
                UploadState::Cancelled => "Upload cancelled: nothing was kept.".into_any(),
                UploadState::Idle | UploadState::Failed(_) => ().into_any(),
            }}
        </div>
    }
}

fn percent(loaded: f64, total: f64) -> u32 {
    if total <= 0.0 { 0 } else { ((loaded / total) * 100.0).clamp(0.0, 100.0) as u32 }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
    #[serde(default)]
    fields: FieldErrors,
}

/// What the server said about a refused upload: the file's or label's problem first.
fn refusal(body: &str) -> String {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => ["file", "label"]
            .iter()
            .find_map(|field| error.fields.get(*field).and_then(|problems| problems.first().cloned()))
            .unwrap_or(error.message),
        Err(_) => "The upload failed. Try again in a moment.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_problem_is_told_before_the_general_message() {
        let body = r#"{"error":{"code":"validation_failed","message":"Some fields need attention.","request_id":"r","fields":{"file":["Not a PNG, JPEG, WebP or PDF file."]}}}"#;
        assert_eq!(refusal(body), "Not a PNG, JPEG, WebP or PDF file.");
        let body = r#"{"error":{"code":"too_large","message":"The file is larger than 20 MB.","request_id":"r"}}"#;
        assert_eq!(refusal(body), "The file is larger than 20 MB.");
        assert_eq!(refusal("<html>bad gateway</html>"), "The upload failed. Try again in a moment.");
    }

    #[test]
    fn progress_is_a_bounded_percentage() {
        assert_eq!(percent(50.0, 200.0), 25);
        assert_eq!(percent(10.0, 0.0), 0);
        assert_eq!(percent(300.0, 200.0), 100);
    }
}
