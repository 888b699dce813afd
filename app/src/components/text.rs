//! Text holding long dotted identifiers (`portability.direct_messages.ongoing`), which may wrap
//! at their dots on a narrow screen instead of running off it.

use leptos::prelude::*;

/// `text` with a line-break opportunity (`<wbr>`) after every dot.
pub fn wrap_at_dots(text: &str) -> impl IntoView + use<> {
    let mut parts: Vec<String> = text.split_inclusive('.').map(str::to_owned).collect();
    let last = parts.pop();
    view! {
        {parts.into_iter().map(|part| view! { {part}<wbr/> }).collect_view()}
        {last}
    }
}
