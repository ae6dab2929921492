//! The SIPp network service: its NSD onboarded, the service created and instantiated with the
//! server on one site and the client on another, through the NFVO's REST API.

use std::collections::BTreeMap;

use anyhow::Context as _;
use archipel_nfvo::api::dto::{CreateNsRequest, InstantiateNsRequest, NsInstance, NsdInfo};
use archipel_nfvo::client::NfvoClient;

use super::nsd::{CLIENT, SERVER};
use super::ops;
use super::progress::Step;

/// Where the VNFs go.
#[derive(Debug, Clone)]
pub struct Placement {
    pub server: String,
    pub client: String,
}

impl Placement {
    fn request(&self) -> InstantiateNsRequest {
        let placement = BTreeMap::from([
            (SERVER.to_owned(), self.server.clone()),
            (CLIENT.to_owned(), self.client.clone()),
        ]);
        InstantiateNsRequest { placement, ..Default::default() }
    }
}

/// `POST /nsd/v1/ns_descriptors`.
pub async fn onboard(client: &NfvoClient, nsd: Vec<u8>) -> anyhow::Result<NsdInfo> {
    client.onboard_nsd(nsd).await.context("onboarding the SIPp NSD")
}

/// Creates the network service (its id goes to `created` at once, for the teardown) and
/// instantiates it with `placement`, following the operation; returns the NSR.
pub async fn launch(
    client: &NfvoClient,
    nsd: &NsdInfo,
    placement: &Placement,
    created: &mut Option<String>,
    step: &Step<'_>,
) -> anyhow::Result<NsInstance> {
    let request = CreateNsRequest { nsd_id: nsd.id.clone(), ns_name: None, ns_description: None };
    let ns = client.create_ns(&request).await.context("creating the network service")?;
    *created = Some(ns.id.clone());
    step.detail(format!("network service {} created (POST /nslcm/v1/ns_instances)", ns.id));
    let op = client
        .instantiate(&ns.id, &placement.request())
        .await
        .context("instantiating the network service")?;
    step.detail(format!(
        "instantiate {} (POST /nslcm/v1/ns_instances/{}/instantiate)",
        op.id, ns.id
    ));
    ops::follow(client, &op, step).await?;
    Ok(client.ns_instance(&ns.id).await?)
}
