//! `ns launch`: create a network service from an NSD and instantiate it.

use std::collections::BTreeMap;

use anyhow::bail;
use archipel_nfvo::api::dto::{CreateNsRequest, InstantiateNsRequest};
use clap::Args;

use super::Remote;

/// Create a network service from an onboarded NSD and instantiate it. Prints the operation, or
/// with --wait the network service once the operation has completed.
#[derive(Debug, Args)]
#[command(after_help = "\
A VNF not placed with --place goes to the first registered site its VDUs' vimInstanceName
names, else to the only registered site. With --wait the steps show on a terminal, and an
operation that fails makes the command fail with its step and reason.

Example:
  archipel ns launch docker-test-NS-sipp --wait
  archipel ns launch docker-test-NS-sipp --place sipp-server=site-a --place sipp-client=site-b")]
pub struct LaunchArgs {
    /// The NSD's id, or its name when only one NSD has it.
    #[arg(value_name = "NSD")]
    nsd: String,
    /// Put VNF on SITE.
    #[arg(long = "place", value_name = "VNF=SITE", value_parser = parse_place)]
    place: Vec<(String, String)>,
    /// The network service's name [default: the NSD's name].
    #[arg(long)]
    name: Option<String>,
    /// Heal a VNFC instance whose workload ends, without an operator (a bounded number of
    /// times, with a growing wait); off by default.
    #[arg(long)]
    auto_heal: bool,
    /// Follow the operation to its end.
    #[arg(long)]
    wait: bool,
}

fn parse_place(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((vnf, site)) if !vnf.is_empty() && !site.is_empty() => {
            Ok((vnf.to_owned(), site.to_owned()))
        }
        _ => Err("expected VNF=SITE".to_owned()),
    }
}

impl LaunchArgs {
    /// VNF -> site; a VNF placed twice is a mistake.
    pub fn placement(&self) -> anyhow::Result<BTreeMap<String, String>> {
        let mut placement = BTreeMap::new();
        for (vnf, site) in &self.place {
            if placement.insert(vnf.clone(), site.clone()).is_some() {
                bail!("VNF {vnf} is placed twice");
            }
        }
        Ok(placement)
    }
}

pub async fn run(remote: &Remote, args: LaunchArgs) -> anyhow::Result<()> {
    let placement = args.placement()?;
    let nsd_id = nsd_id(remote, &args.nsd).await?;
    let create = CreateNsRequest { nsd_id, ns_name: args.name.clone(), ns_description: None };
    let ns = remote.client.create_ns(&create).await?;
    let request =
        InstantiateNsRequest { placement, auto_heal: args.auto_heal, ..Default::default() };
    let op = remote.client.instantiate(&ns.id, &request).await?;
    if !args.wait {
        return remote.print_one(&op);
    }
    remote.follow(&op).await?;
    remote.print_one(&remote.client.ns_instance(&ns.id).await?)
}

async fn nsd_id(remote: &Remote, word: &str) -> anyhow::Result<String> {
    let nsds = remote.client.nsds().await?;
    if nsds.iter().any(|nsd| nsd.id == word) {
        return Ok(word.to_owned());
    }
    let named: Vec<&str> = nsds
        .iter()
        .filter(|nsd| nsd.nsd_name.as_deref() == Some(word))
        .map(|nsd| nsd.id.as_str())
        .collect();
    match named.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => bail!("no NSD {word}: onboard it with `archipel ns onboard FILE`"),
        several => bail!("several NSDs are named {word} ({}): use an id", several.join(", ")),
    }
}
