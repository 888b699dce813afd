//! `/applications/:id/reviews`: every reviewer's checklist on every revision, read-only, for
//! admins and auditors: who judged which item how, and the note that says why.

use crate::api::review::all_reviews;
use crate::components::form::PageError;
use crate::components::layout::RequireRole;
use crate::components::moment::Moment;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use portcullis_domain::review::checklist::{ReviewItem, Verdict};
use portcullis_domain::review::view::ReviewView;
use portcullis_domain::role::Role;

#[component]
pub fn ReviewsPage() -> impl IntoView {
    view! {
        <RequireRole any_of=&[Role::Admin, Role::Auditor]>
            <Reviews/>
        </RequireRole>
    }
}

#[component]
fn Reviews() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let reviews = Resource::new(move || id.get(), all_reviews);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || reviews.get().map(|result| match result {
                Ok(page) => view! {
                    <section class="reviews">
                        <Title text="Reviewers' checklists"/>
                        <p><a href=format!("/applications/{}", id.get_untracked())>"Back to the application"</a></p>
                        <h1>"Reviewers' checklists"</h1>
                        <p class="muted">"Every reviewer's verdict on each checklist item, revision by revision, with the note that says why. Nothing can be changed here."</p>
                        {if page.reviews.is_empty() {
                            view! { <p class="empty">"No reviewer has started a review of this application yet."</p> }.into_any()
                        } else {
                            page.reviews.into_iter().map(|review| view! { <OneReview review/> }).collect_view().into_any()
                        }}
                    </section>
                }
                .into_any(),
                Err(error) => view! { <PageError error back_href="/applications" back_label="Back to applications"/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn OneReview(review: ReviewView) -> impl IntoView {
    let summary = format!(
        "{} of {} items recorded · privacy checklist version {}, security checklist version {}",
        review.progress.recorded, review.progress.total, review.privacy_version, review.security_version
    );
    view! {
        <article class="card review-record">
            <h2>{format!("{} · revision {}", review.reviewer_name, review.revision)}</h2>
            <p class="muted">"Started " <Moment at=review.started_at/> " · " {summary}</p>
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr><th scope="col">"Checklist"</th><th scope="col">"Item"</th><th scope="col">"Verdict"</th><th scope="col">"Note"</th></tr>
                    </thead>
                    <tbody>
                        {review.items.into_iter().map(|item| view! { <ItemRow item/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </article>
    }
}

#[component]
fn ItemRow(item: ReviewItem) -> impl IntoView {
    let (label, class) = match item.verdict {
        Some(Verdict::Pass) => ("Pass", "badge verdict-pass"),
        Some(Verdict::Fail) => ("Fail", "badge verdict-fail"),
        Some(Verdict::Na) => ("Not applicable", "badge verdict-na"),
        None => ("Not recorded", "badge"),
    };
    view! {
        <tr>
            <td>{item.checklist.title()}</td>
            <td>{item.title}{item.required.then_some(" (required)")}</td>
            <td><span class=class>{label}</span></td>
            <td>{item.note}</td>
        </tr>
    }
}
