//! Moments as people read them ("30 Nov 2026, 03:46 UTC"), never as raw RFC 3339.

use leptos::prelude::*;
use portcullis_domain::time::{readable, readable_date};

/// A moment in `<time datetime=…>`, read as day, month, year and UTC time; a value that is
/// not a moment shows as it is.
#[component]
pub fn Moment(#[prop(into)] at: String) -> impl IntoView {
    let shown = readable(&at).unwrap_or_else(|| at.clone());
    view! { <time datetime=at>{shown}</time> }
}

/// [`Moment`] with the date only.
#[component]
pub fn Day(#[prop(into)] at: String) -> impl IntoView {
    let shown = readable_date(&at).unwrap_or_else(|| at.clone());
    view! { <time datetime=at>{shown}</time> }
}

/// The readable text of a moment, for places that take text only (an `<option>`).
pub fn moment_text(at: &str) -> String {
    readable(at).unwrap_or_else(|| at.to_owned())
}
