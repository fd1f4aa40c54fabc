pub mod bad_input;
pub mod crd;
pub mod replay;
pub mod scenarios;
