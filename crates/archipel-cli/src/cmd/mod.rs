//! The subcommands of `archipel`.

pub mod agent;
pub mod apikey;
pub mod container_enter;
pub mod container_init;
pub mod demo;
pub mod intersite;
pub mod lab;
pub mod login;
pub mod logout;
pub mod nfvo;
pub mod ns;
pub mod pki;
pub mod pop;
pub mod popd;
pub mod site;
pub mod tls;
pub mod user;
pub mod wireguard_device;
