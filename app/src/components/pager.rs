use leptos::prelude::*;

/// Previous / next links for a paged list; `href(n)` builds the link to page `n`.
#[component]
pub fn Pager(page: u64, pages: u64, total: u64, href: impl Fn(u64) -> String + 'static) -> impl IntoView {
    let previous = (page > 1).then(|| href(page - 1));
    let next = (page < pages).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            {previous.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
            <span>{format!("Page {page} of {pages} · {total} in all")}</span>
            {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
        </nav>
    }
}

/// Previous / next links of a list paged by position (the review queue): the list gives the
/// links and says which page this is.
#[component]
pub fn CursorPager(previous: Option<String>, next: Option<String>, summary: String) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {previous.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
            <span>{summary}</span>
            {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
        </nav>
    }
}
