//! The REST API served on a loopback port in-process, with the recording fake of the sites.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

mod accounts;
mod collections;
mod fault_management;
mod harness;
mod heal;
mod invalid_nsd;
mod lifecycle;
mod metrics;
mod notifications;
mod nsd_management;
mod nsd_notifications;
mod openapi;
mod package_notifications;
mod performance;
mod problems;
mod sol005;
mod tasks;
mod ui;
