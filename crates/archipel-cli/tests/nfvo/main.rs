//! The orchestrator's acceptance suite: the real `archipel nfvo` driving real popd daemons
//! (Docker and native), everything through the real CLI and the REST API, with the effects
//! checked in the world (Docker, network namespaces).
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

mod access;
mod autoheal;
mod crash;
mod events;
mod failure;
mod harness;
mod heal;
mod invalid;
mod login;
mod names;
mod open_baton;
mod openapi;
mod scale;
mod scripts;
mod secrets;
mod sipp;
mod terminate;
mod update;
mod warnings;
