//! What a developer should do next, for the signed-in home page: never an empty page.

use super::appeal::AppealStatus;
use super::status::ApplicationStatus;
use super::view::ApplicationSummary;
use serde::{Deserialize, Serialize};

/// One thing to do, with where to do it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    pub title: String,
    pub detail: String,
    /// The link's text.
    pub action: String,
    pub href: String,
}

/// The steps for someone with (or without) an organisation and these applications of their
/// organisations: the most urgent first, at most one per application.
pub fn next_steps(has_org: bool, applications: &[ApplicationSummary]) -> Vec<NextStep> {
    if !has_org {
        return vec![NextStep {
            title: "Create your organisation".into(),
            detail: "Applications are made on behalf of an organisation: its legal name, country and a privacy \
                     contact. You can invite colleagues to it afterwards."
                .into(),
            action: "Create an organisation".into(),
            href: "/orgs".into(),
        }];
    }
    let mut steps: Vec<(u8, NextStep)> = applications.iter().filter_map(step_for).collect();
    steps.sort_by_key(|(urgency, _)| *urgency);
    let mut steps: Vec<NextStep> = steps.into_iter().map(|(_, step)| step).collect();
    if applications.iter().all(|a| !matches!(a.status, ApplicationStatus::Draft)) {
        steps.push(NextStep {
            title: "Apply for API access".into(),
            detail: "Describe your app and its use case, choose the data it needs, and show the consent screens \
                     people will see. Your draft is saved as you go."
                .into(),
            action: "Start an application".into(),
            href: "/applications/new".into(),
        });
    }
    steps
}

fn step_for(a: &ApplicationSummary) -> Option<(u8, NextStep)> {
    let (urgency, title, detail, action, href) = match a.status {
        ApplicationStatus::ChangesRequested => (
            0,
            format!("The reviewers asked for changes to {}", a.name),
            "Read their message, change the application and submit it again.".to_string(),
            "See what to change",
            format!("/applications/{}", a.id),
        ),
        ApplicationStatus::Approved => (
            1,
            format!("{} is approved", a.name),
            "Create sandbox credentials, and collect the production secret once an admin issues it.".to_string(),
            "API credentials",
            format!("/applications/{}/credentials", a.id),
        ),
        ApplicationStatus::Draft => (
            2,
            format!("Finish {}", a.name),
            "Your draft is saved. Complete every step, then submit it for review.".to_string(),
            "Continue the application",
            format!("/applications/{}/edit", a.id),
        ),
        ApplicationStatus::Submitted | ApplicationStatus::InReview => (
            3,
            format!("{} is with the reviewers", a.name),
            format!(
                "Reviews aim to finish within {} business days. You will get a mail when they decide or ask for \
                 changes.",
                crate::review::due::DEFAULT_TARGET_BUSINESS_DAYS
            ),
            "See its status",
            format!("/applications/{}", a.id),
        ),
        ApplicationStatus::Suspended => (
            0,
            format!("{} is suspended", a.name),
            "Its credentials do not work until an admin lifts the suspension. The reason is on its page.".to_string(),
            "See why",
            format!("/applications/{}", a.id),
        ),
        ApplicationStatus::Rejected => match (&a.appeal_until, a.appeal) {
            (Some(until), _) => (
                1,
                format!("{} was rejected", a.name),
                format!(
                    "If you think the reviewers got it wrong, an owner of the organisation can appeal until {}: \
                     reviewers who took no part in the rejection look at it again.",
                    until.get(..10).unwrap_or(until)
                ),
                "Read the decision",
                format!("/applications/{}", a.id),
            ),
            (None, Some(AppealStatus::Pending)) => (
                3,
                format!("The appeal for {} is with the reviewers", a.name),
                "Reviewers who took no part in the rejection decide it. You will get a mail with their decision."
                    .to_string(),
                "See its status",
                format!("/applications/{}", a.id),
            ),
            (None, _) => return None,
        },
        ApplicationStatus::Withdrawn | ApplicationStatus::Revoked => return None,
    };
    Some((urgency, NextStep { title, detail, action: action.into(), href }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str, status: ApplicationStatus) -> ApplicationSummary {
        ApplicationSummary {
            id: id.into(),
            org_id: "o".into(),
            org_name: "Org".into(),
            reference: "PC-1".into(),
            name: format!("App {id}"),
            status,
            requested_scopes: vec![],
            revision: 1,
            updated_at: "2026-11-30T00:00:00Z".into(),
            submitted_at: None,
            appeal_until: None,
            appeal: None,
        }
    }

    #[test]
    fn without_an_organisation_the_step_is_to_create_one() {
        let steps = next_steps(false, &[]);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].href, "/orgs");
    }

    #[test]
    fn with_an_organisation_and_nothing_else_the_step_is_to_apply() {
        let steps = next_steps(true, &[]);
        assert_eq!(steps.iter().map(|s| s.href.as_str()).collect::<Vec<_>>(), ["/applications/new"]);
    }

    #[test]
    fn the_most_urgent_come_first_and_a_draft_is_continued_not_restarted() {
        let apps = [
            app("d", ApplicationStatus::Draft),
            app("r", ApplicationStatus::InReview),
            app("c", ApplicationStatus::ChangesRequested),
            app("x", ApplicationStatus::Rejected),
        ];
        let hrefs: Vec<String> = next_steps(true, &apps).into_iter().map(|s| s.href).collect();
        assert_eq!(hrefs, ["/applications/c", "/applications/d/edit", "/applications/r"]);
    }

    #[test]
    fn an_approved_application_leads_to_its_credentials() {
        let steps = next_steps(true, &[app("a", ApplicationStatus::Approved)]);
        assert_eq!(steps[0].href, "/applications/a/credentials");
        assert_eq!(steps[1].href, "/applications/new", "nothing in draft: offer a new one too");
    }

    #[test]
    fn a_rejection_offers_its_appeal_while_the_window_is_open_then_follows_it() {
        let open = ApplicationSummary {
            appeal_until: Some("2026-12-31T12:00:00Z".into()),
            ..app("x", ApplicationStatus::Rejected)
        };
        let steps = next_steps(true, &[open]);
        assert_eq!(steps[0].href, "/applications/x");
        assert!(steps[0].detail.contains("appeal until 2026-12-31"), "{}", steps[0].detail);
        let pending =
            ApplicationSummary { appeal: Some(AppealStatus::Pending), ..app("p", ApplicationStatus::Rejected) };
        assert_eq!(next_steps(true, &[pending])[0].title, "The appeal for App p is with the reviewers");
        for appeal in [None, Some(AppealStatus::Upheld)] {
            let closed = ApplicationSummary { appeal, ..app("c", ApplicationStatus::Rejected) };
            let hrefs: Vec<String> = next_steps(true, &[closed]).into_iter().map(|s| s.href).collect();
            assert_eq!(hrefs, ["/applications/new"], "{appeal:?}");
        }
    }
}
