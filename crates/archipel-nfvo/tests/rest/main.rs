//! The REST API served on a loopback port in-process, with the recording fake of the sites.

mod harness;
mod invalid_nsd;
mod lifecycle;
mod openapi;
mod problems;
