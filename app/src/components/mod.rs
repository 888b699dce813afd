//! Pieces shared by the pages.

pub mod form;
pub mod layout;
pub mod moment;
pub mod pager;
pub mod secret;
pub mod text;
