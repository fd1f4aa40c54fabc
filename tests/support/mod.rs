pub mod crd;
pub mod scenarios;
