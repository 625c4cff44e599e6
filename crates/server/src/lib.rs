//! cognitod: configuration, wiring and the command line. The only crate that picks concrete
//! stores.

pub mod app;
pub mod cli;
pub mod config;
pub mod connections;
mod fallback;
pub mod keys;
pub mod outbox;
pub mod secrets;
pub mod serve;
pub mod signing;
pub mod state;
pub mod tls;
pub mod wellknown;

pub use connections::ConnectionLimits;
pub use serve::{RunningServer, ServerOptions, start};
pub use state::{Backend, open_backend};
