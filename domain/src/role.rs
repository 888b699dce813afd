//! Roles and permissions: the one table that says who may do what.
//!
//! Every server function and route asks [`Roles::allows`] (through the service layer's
//! actor guard); anything not listed here is denied.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Developer,
    Reviewer,
    Admin,
    /// Reads everything a regulator may ask about, changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Developer, Role::Reviewer, Role::Admin, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Developer => "developer",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "developer" => Ok(Role::Developer),
            "reviewer" => Ok(Role::Reviewer),
            "admin" => Ok(Role::Admin),
            "auditor" => Ok(Role::Auditor),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

/// What an action needs. Grouped by capability, not by page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Use the portal as an applicant (every signed-in, enabled account).
    Apply,
    /// Work the review queue.
    Review,
    /// List users, change roles, disable accounts.
    ManageUsers,
    /// Browse the audit trail.
    ViewAudit,
    /// See parked outgoing mail.
    ViewMailOutbox,
    /// Assign applications to reviewers other than oneself.
    AssignReviews,
    /// Edit the review checklist templates.
    ManageChecklists,
    /// Create and revoke the keys the platform's gateway introspects tokens with.
    ManageGatewayKeys,
    /// Read every submitted application with its reviews, decisions, credentials (never a
    /// secret) and messages, changing nothing.
    Inspect,
}

/// Why a set of roles cannot be held together.
pub const AUDITOR_ALONE: &str =
    "An auditor only reads: the auditor role cannot be held together with reviewer or admin.";

/// The set of roles an account holds. Every account is a developer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roles(Vec<Role>);

impl Roles {
    /// Normalises: always contains `developer`, sorted, without duplicates.
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        let mut v: Vec<Role> = roles.into_iter().chain([Role::Developer]).collect();
        v.sort();
        v.dedup();
        Roles(v)
    }

    pub fn developer() -> Self {
        Roles::new([])
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// Whether the roles only read: an auditor applies, reviews and manages nothing, even
    /// where the roles it is stored with would say otherwise.
    pub fn read_only(&self) -> bool {
        self.contains(Role::Auditor)
    }

    /// Roles that cannot be granted together: `None` when these can.
    pub fn conflict(&self) -> Option<&'static str> {
        (self.read_only() && (self.contains(Role::Reviewer) || self.contains(Role::Admin))).then_some(AUDITOR_ALONE)
    }

    pub fn allows(&self, permission: Permission) -> bool {
        if self.read_only() {
            return matches!(permission, Permission::Inspect | Permission::ViewAudit);
        }
        match permission {
            Permission::Apply => self.contains(Role::Developer),
            Permission::Review => self.contains(Role::Reviewer) || self.contains(Role::Admin),
            Permission::Inspect => self.contains(Role::Admin),
            Permission::ManageUsers
            | Permission::ViewAudit
            | Permission::ViewMailOutbox
            | Permission::AssignReviews
            | Permission::ManageChecklists
            | Permission::ManageGatewayKeys => self.contains(Role::Admin),
        }
    }

    /// Stored form: comma separated, e.g. `developer,reviewer`.
    pub fn to_csv(&self) -> String {
        self.0.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn from_csv(s: &str) -> Result<Self, UnknownRole> {
        let roles =
            s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(Role::from_str).collect::<Result<Vec<_>, _>>()?;
        Ok(Roles::new(roles))
    }
}

impl FromStr for Roles {
    type Err = UnknownRole;

    fn from_str(csv: &str) -> Result<Self, UnknownRole> {
        Roles::from_csv(csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_is_a_developer() {
        assert_eq!(Roles::new([]).to_csv(), "developer");
        assert_eq!(Roles::new([Role::Admin]).to_csv(), "developer,admin");
        assert_eq!(Roles::new([Role::Admin, Role::Reviewer, Role::Admin]).to_csv(), "developer,reviewer,admin");
    }

    #[test]
    fn csv_round_trip_and_unknown_roles() {
        let roles = Roles::from_csv("reviewer, developer").unwrap();
        assert_eq!(roles, Roles::new([Role::Reviewer]));
        assert_eq!(Roles::from_csv(&roles.to_csv()).unwrap(), roles);
        assert_eq!(Roles::from_csv("root"), Err(UnknownRole("root".into())));
    }

    #[test]
    fn permission_table() {
        let dev = Roles::developer();
        let reviewer = Roles::new([Role::Reviewer]);
        let admin = Roles::new([Role::Admin]);
        let auditor = Roles::new([Role::Auditor]);
        let cases = [
            (Permission::Apply, [true, true, true, false]),
            (Permission::Review, [false, true, true, false]),
            (Permission::ManageUsers, [false, false, true, false]),
            (Permission::ViewAudit, [false, false, true, true]),
            (Permission::ViewMailOutbox, [false, false, true, false]),
            (Permission::AssignReviews, [false, false, true, false]),
            (Permission::ManageChecklists, [false, false, true, false]),
            (Permission::ManageGatewayKeys, [false, false, true, false]),
            (Permission::Inspect, [false, false, true, true]),
        ];
        for (permission, expected) in cases {
            let got = [&dev, &reviewer, &admin, &auditor].map(|r| r.allows(permission));
            assert_eq!(got, expected, "{permission:?}");
        }
    }

    #[test]
    fn an_auditor_holds_no_role_that_changes_things() {
        assert_eq!(Roles::new([Role::Auditor]).conflict(), None);
        assert_eq!(Roles::new([Role::Auditor, Role::Reviewer]).conflict(), Some(AUDITOR_ALONE));
        assert_eq!(Roles::new([Role::Auditor, Role::Admin]).conflict(), Some(AUDITOR_ALONE));
        assert_eq!(Roles::new([Role::Reviewer, Role::Admin]).conflict(), None);
        // Even stored together by mistake, the auditor role wins: nothing but reading.
        let both = Roles::new([Role::Auditor, Role::Admin]);
        assert!(!both.allows(Permission::ManageUsers) && !both.allows(Permission::Review));
        assert!(both.allows(Permission::Inspect));
        assert_eq!(Roles::from_csv("developer,auditor").unwrap(), Roles::new([Role::Auditor]));
    }
}
