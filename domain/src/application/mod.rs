//! Applications for API access: the form, its lifecycle, mockups and revisions.

pub mod appeal;
pub mod content;
pub mod lifecycle;
pub mod mockup;
pub mod next_step;
pub mod redirect_uri;
pub mod revision;
pub mod scope;
pub mod status;
pub mod view;
pub mod visibility;
