//! Pieces shared by the pages.

pub mod chart;
pub mod focus;
pub mod form;
pub mod layout;
pub mod moment;
pub mod pager;
pub mod passkeys;
pub mod scope;
pub mod secret;
pub mod sso;
pub mod step_up;
pub mod text;
