//! The Pop API acceptance suite: the real `archipel popd` against a real runtime, driven through
//! the real CLI and the raw gRPC protocol, with the effects checked in the world (Docker).
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

mod auth;
mod bad_input;
mod cleanup;
mod concurrency;
mod exec;
mod exits;
mod fault_dockerd;
mod fault_kill9;
mod final_addresses;
mod harness;
mod metadata_env;
mod metadata_limits;
mod native_disk;
mod native_images;
mod native_isolation;
mod native_logs;
mod native_metrics;
mod native_networks;
mod native_only;
mod recovery;
mod relogin;
mod swarm;
mod thesis_client;
