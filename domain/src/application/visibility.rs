//! Who may see an application: its organisation always, the platform's staff only once it
//! has been submitted. A draft withdrawn before its first submission stays the
//! organisation's own, like any other draft.

/// Whether staff (reviewers and admins) may see an application, whatever its status now is.
/// `first_submitted` is set by the first submission and never cleared afterwards (the
/// database query for lists, `submitted_at IS NOT NULL`, is this rule on that column).
pub fn visible_to_staff<T>(first_submitted: Option<T>) -> bool {
    first_submitted.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_see_an_application_only_once_it_was_submitted() {
        assert!(!visible_to_staff(None::<()>), "never submitted, whether still a draft or withdrawn");
        assert!(visible_to_staff(Some("2026-11-30T04:00:00Z")), "withdrawn or recertified later, it stays visible");
    }
}
