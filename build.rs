// See tools/build/commit.rs.
include!("tools/build/commit.rs");
