//! `archipel pop` against an in-process popd on the recording fake runtime: the command line,
//! its output formats, its error lines and exit codes, without Docker.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

mod errors;
mod harness;
mod images;
mod lifecycle;
mod networks;
mod watch;
