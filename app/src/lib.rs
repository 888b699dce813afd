//! The Portcullis web UI: server-rendered Leptos pages, hydrated in the browser.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod error;
mod hydration;
pub mod pages;

pub use app::{App, shell};
