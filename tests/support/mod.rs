pub mod bad_input;
pub mod crd;
pub mod native_cluster;
pub mod scenarios;
