//! Typed, lenient views of the objects the rules read: Tempo CRs' storage sections and storage Secrets.

pub mod components;
pub mod listed;
pub mod overlay;
pub mod pruned;
pub mod secret;
pub mod storage;
pub mod tempo;

pub use secret::{Entry, SecretContent, SecretDoc};
pub use tempo::{Backend, CrKind, CrRef, CredentialMode, StorageUse, Tls};
