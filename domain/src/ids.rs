//! Identifiers that travel together get a type each, so that an operation taking an
//! application and one of its mockups cannot be handed the two the wrong way round.
//!
//! They are opaque: the text a URL or a form carries, unchecked. Whether it names
//! anything the caller may see is the service's question.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )+};
}

ids! {
    /// An application.
    ApplicationId;
    /// A mockup of one application.
    MockupId;
    /// A checklist item of one application's review.
    ItemId;
    /// An organisation.
    OrgId;
    /// An account, as a member of an organisation or on its own.
    UserId;
    /// A pending invitation to one organisation.
    InvitationId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_text_on_the_wire() {
        let id: MockupId = serde_json::from_str("\"m-1\"").unwrap();
        assert_eq!(id.as_str(), "m-1");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"m-1\"");
        assert_eq!(id.to_string(), "m-1");
    }

    #[test]
    fn a_pair_of_ids_reads_in_order() {
        let (app, mockup): (ApplicationId, MockupId) = serde_json::from_str(r#"["a-1","m-1"]"#).unwrap();
        assert_eq!((app, mockup), (ApplicationId::new("a-1"), MockupId::new("m-1")));
    }
}
