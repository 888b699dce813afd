//! Who acts in the demo world: the demo accounts, a few more people with known passwords, and
//! the three organisations they run.

use crate::accounts::DEMO_ACCOUNTS;
use crate::context::Ctx;
use crate::entity::user;
use crate::error::{ServiceError, ServiceResult};
use crate::{Services, orgs};
use portcullis_domain::org::OrgInput;
use portcullis_domain::role::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The world's people besides the demo accounts, in their style: (email, name, password, roles).
pub const ACCOUNTS: [(&str, &str, &str, &[Role]); 3] = [
    ("ingrid@demo.portcullis.test", "Ingrid Dahl", "demo-ingrid-password", &[]),
    ("tomas@demo.portcullis.test", "Tomás Ferreira", "demo-tomas-password", &[]),
    // Sensitive scopes need a second reviewer's approval.
    ("reviewer2@demo.portcullis.test", "Demo Second Reviewer", "demo-reviewer2-password", &[Role::Reviewer]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Person {
    Developer,
    Reviewer,
    Admin,
    Ingrid,
    Tomas,
    SecondReviewer,
}

impl Person {
    pub const ALL: [Person; 6] =
        [Person::Developer, Person::Reviewer, Person::Admin, Person::Ingrid, Person::Tomas, Person::SecondReviewer];

    fn account(self) -> (&'static str, &'static [Role]) {
        let (email, _, _, roles) = match self {
            Person::Developer => DEMO_ACCOUNTS[0],
            Person::Reviewer => DEMO_ACCOUNTS[1],
            Person::Admin => DEMO_ACCOUNTS[2],
            Person::Ingrid => ACCOUNTS[0],
            Person::Tomas => ACCOUNTS[1],
            Person::SecondReviewer => ACCOUNTS[2],
        };
        (email, roles)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Org {
    Fjordline,
    Tessera,
    Quillmate,
}

impl Org {
    /// Fjordline first: finding it is how a second seeding knows the world exists.
    pub const ALL: [Org; 3] = [Org::Fjordline, Org::Tessera, Org::Quillmate];

    pub fn name(self) -> &'static str {
        match self {
            Org::Fjordline => "Fjordline Apps AS",
            Org::Tessera => "Tessera Health B.V.",
            Org::Quillmate => "Quillmate Lda.",
        }
    }

    pub fn owner(self) -> Person {
        match self {
            Org::Fjordline => Person::Developer,
            Org::Tessera => Person::Ingrid,
            Org::Quillmate => Person::Tomas,
        }
    }

    fn country_and_website(self) -> (&'static str, &'static str) {
        match self {
            Org::Fjordline => ("NO", "https://fjordline.example"),
            Org::Tessera => ("NL", "https://tesserahealth.example"),
            Org::Quillmate => ("PT", "https://quillmate.example"),
        }
    }
}

/// Everyone's context, as if each had just signed in.
pub struct Cast {
    people: Vec<(Person, Ctx)>,
}

impl Cast {
    pub async fn load(services: &Services) -> ServiceResult<Self> {
        let mut people = Vec::with_capacity(Person::ALL.len());
        for person in Person::ALL {
            people.push((person, ctx_of(services, person).await?));
        }
        Ok(Cast { people })
    }

    pub fn ctx(&self, person: Person) -> &Ctx {
        &self.people.iter().find(|(p, _)| *p == person).expect("everyone is loaded").1
    }

    pub fn user_id(&self, person: Person) -> String {
        self.ctx(person).actor.as_ref().map(|a| a.user_id.clone()).expect("loaded signed in")
    }
}

pub async fn ctx_of(services: &Services, person: Person) -> ServiceResult<Ctx> {
    let (email, _) = person.account();
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(services.db())
        .await?
        .ok_or_else(|| ServiceError::Internal(format!("demo world: no account {email}")))?;
    Ctx::system().as_user(&user)
}

/// Whether the developer already belongs to the first organisation.
pub async fn founded(services: &Services, developer: &Ctx) -> ServiceResult<bool> {
    let first = Org::ALL[0];
    Ok(orgs::list_mine(services, developer).await?.iter().any(|org| org.name == first.name()))
}

/// Each organisation, created by its owner with their own verified address as the contact (so
/// no confirmation mail waits); their ids in [`Org::ALL`] order.
pub async fn found(services: &Services, cast: &Cast) -> ServiceResult<Vec<String>> {
    let mut ids = Vec::with_capacity(Org::ALL.len());
    for org in Org::ALL {
        let owner = cast.ctx(org.owner());
        let (country, website) = org.country_and_website();
        let contact_email = owner.actor.as_ref().map(|a| a.email.clone()).unwrap_or_default();
        let input =
            OrgInput { name: org.name().into(), country: country.into(), website: website.into(), contact_email };
        ids.push(orgs::create(services, owner, input).await?.id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewers_and_the_admin_hold_their_roles() {
        assert_eq!(Person::Reviewer.account().1, [Role::Reviewer]);
        assert_eq!(Person::SecondReviewer.account().1, [Role::Reviewer]);
        assert_eq!(Person::Admin.account().1, [Role::Admin]);
        for owner in Org::ALL.map(Org::owner) {
            assert!(owner.account().1.is_empty(), "{owner:?} is a developer");
        }
    }
}
