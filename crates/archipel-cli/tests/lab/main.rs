//! The multi-site lab (`archipel lab`) and the inter-site agent end to end on it: real popds
//! (native runtime), real agents, containers pinging and carrying traffic across sites. Every
//! test brings up a lab of its own (unique name, underlay and subnets) and takes it down,
//! checking that nothing of it remains. Needs root and FAILS without it.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

mod capture;
mod crash;
mod east_west;
mod encryption;
mod harness;
mod heal;
mod isolation;
mod l2;
mod l3;
mod master_kill;
mod membership;
mod nemesis;
mod nfvo;
mod orchestrator;
mod partition;
mod peers;
mod probe;
mod refill;
mod secrets;
mod swarm;
mod ui;
mod ui_degraded;
mod vni_race;
mod wire;
