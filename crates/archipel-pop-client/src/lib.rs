//! Client of the Pop protocol, cheap to create per call.
//!
//! Every [`Client`] with the same endpoint and username shares one session (a gRPC channel and a
//! login token) through a process-wide cache, so creating a client costs nothing and many
//! clients make one login. When the server rejects a token (it expired, or another client logged
//! it out), the client logs in again and retries the call once: the caller never sees that.
//!
//! ```no_run
//! # async fn demo() -> Result<(), archipel_pop_client::ClientError> {
//! use archipel_pop_client::{Client, Credentials, Filter};
//! let client = Client::new(Credentials {
//!     endpoint: "http://127.0.0.1:60000".into(),
//!     username: "admin".into(),
//!     password: "secret".into(),
//!     ca: None,
//! });
//! client.delete(&Filter::id("a5aabadc-2e87-4654-a497-16f4d033cf78")).await?;
//! # Ok(()) }
//! ```

mod cache;
mod client;
mod error;
mod events;
mod filter;
mod networks;
mod session;

pub use archipel_proto::v1 as pb;
pub use client::{info_anonymous, Client, Credentials};
pub use error::{code_name, ClientError};
pub use events::Events;
pub use filter::Filter;
pub use networks::NetworkChanges;
pub use tonic::Code;
