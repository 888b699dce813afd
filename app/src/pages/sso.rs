//! `/sso/problem`: why a sign-in with the organisation's identity provider did not go
//! through, with the way back to the sign-in page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_domain::sso::SsoProblem;

#[component]
pub fn SsoProblemPage() -> impl IntoView {
    let query = use_query_map();
    let problem = Memo::new(move |_| query.read().get("reason").and_then(|reason| SsoProblem::from_code(&reason)));
    let title = move || problem.get().map_or("Single sign-on did not complete", SsoProblem::title);
    let message = move || problem.get().map_or("Start again from the sign-in page.", SsoProblem::message);
    view! {
        <section class="card narrow">
            <Title text=title/>
            <h1>{title}</h1>
            <div class="alert alert-error" role="alert"><p>{message}</p></div>
            <p><a class="button primary" href="/login">"Back to sign-in"</a></p>
        </section>
    }
}
