//! Where traces are stored: parsing and classifying object-storage endpoints, region codes, and bucket/container naming rules.
//!
//! Everything here is a pure function over strings, so the rules can be tested
//! without a cluster and reused by both the admission path and settings
//! validation.

pub mod bucket_name;
pub mod endpoint;
pub mod region;

pub use bucket_name::{azure_container_problems, gcs_bucket_problems, s3_bucket_problems};
pub use endpoint::{
    AwsEndpoint, AwsForm, Endpoint, EndpointNote, EndpointProblem, IbmEndpoint, IbmForm, IbmNetwork,
    LEGACY_GLOBAL_REGION, Scheme, Target, VpcKind, parse_endpoint,
};
pub use region::{
    AwsPartition, RegionCheck, aws_partition_of_region, check_aws_region, check_ibm_location, is_plausible_region,
    partition_matches,
};
