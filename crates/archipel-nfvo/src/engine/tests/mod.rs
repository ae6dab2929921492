//! Tests of the engine against the recording fake of the sites.

mod deps;
mod extend;
mod instantiate;
mod placement;
mod recover;
mod rollback;
mod scale;
mod scripts;
mod terminate;
mod update;
mod watch;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{NewNs, Nfvo, NfvoConfig, SiteSpec};
use crate::model::{Nsr, OpOcc, OperationState};
use crate::store::Store;
use crate::vim::FakeVims;

/// The thesis's Appendix C NSD, as the examples ship it.
pub(super) const SIPP: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/sipp/nsd.json"));

/// A three-tier service: `web` depends on `app` (address, hostname), `app` on `db` (address,
/// hostname and a configuration key); `db` and `app` may scale to 3.
pub(super) const TIERS: &str = r#"{
  "name": "tiers", "vendor": "archipel", "version": "1",
  "vld": [{"name": "front"}, {"name": "back"}],
  "vnfd": [
    {"name": "web", "type": "web", "endpoint": "docker",
     "vdu": [{"vm_image": ["img/web"], "scale_in_out": 2,
              "vnfc": [{"connection_point": [{"virtual_link_reference": "front"}]}]}],
     "virtual_link": [{"name": "front"}],
     "deployment_flavour": [{"flavour_key": "docker.container"}]},
    {"name": "app", "type": "app", "endpoint": "docker",
     "vdu": [{"vm_image": ["img/app"], "scale_in_out": 3,
              "vnfc": [{"connection_point": [{"virtual_link_reference": "front"},
                                             {"virtual_link_reference": "back"}]}]}],
     "virtual_link": [{"name": "front"}, {"name": "back"}],
     "configurations": {"name": "c", "configurationParameters": [{"confKey": "APP_MODE", "value": "fast"}]},
     "deployment_flavour": [{"flavour_key": "docker.container"}]},
    {"name": "db", "type": "db", "endpoint": "docker",
     "vdu": [{"vm_image": ["img/db"], "scale_in_out": 3,
              "vnfc": [{"connection_point": [{"virtual_link_reference": "back"}]},
                       {"connection_point": [{"virtual_link_reference": "back"}]}]}],
     "virtual_link": [{"name": "back"}],
     "configurations": {"name": "c", "configurationParameters": [{"confKey": "port", "value": "5432"}]},
     "deployment_flavour": [{"flavour_key": "docker.container"}]}
  ],
  "vnf_dependency": [
    {"source": {"name": "app"}, "target": {"name": "web"}, "parameters": ["front"]},
    {"source": {"name": "db"}, "target": {"name": "app"}, "parameters": ["back", "hostname", "port"]}
  ]
}"#;

pub(super) struct Setup {
    pub nfvo: Nfvo,
    pub fake: FakeVims,
}

impl Setup {
    /// An orchestrator on an in-memory store with sites `sites`, all answering, each with an
    /// inter-site agent.
    pub async fn new(sites: &[&str]) -> Self {
        Self::with_watch(sites, super::WatchConfig::default()).await
    }

    /// As [`Setup::new`], the watch configured by `watch`.
    pub async fn with_watch(sites: &[&str], watch: super::WatchConfig) -> Self {
        let fake = FakeVims::new();
        let subnet_pool = "10.200.0.0/22".parse().unwrap();
        let config = NfvoConfig { subnet_pool, watch, ..NfvoConfig::default() };
        let nfvo = Nfvo::new(Store::in_memory().unwrap(), Arc::new(fake.clone()), config).unwrap();
        for site in sites {
            let spec = SiteSpec {
                name: (*site).to_owned(),
                pop_endpoint: format!("http://{site}.invalid:60000"),
                username: "admin".to_owned(),
                password: "secret".to_owned(),
                agent_endpoint: Some(format!("http://{site}.invalid:7000")),
                agent_token: Some("token".to_owned()),
            };
            nfvo.add_site(spec).await.unwrap();
        }
        fake.clear_calls();
        Self { nfvo, fake }
    }

    /// Onboards `nsd` and creates an NSR of it.
    pub fn create(&self, nsd: &[u8]) -> Nsr {
        let record = self.nfvo.onboard_nsd(nsd).unwrap();
        let new = NewNs { nsd_id: record.id, name: String::new(), description: String::new() };
        self.nfvo.create_ns(new).unwrap()
    }

    /// Instantiates `nsr` with `placement` and waits for the end.
    pub async fn instantiate(&self, nsr: &Nsr, placement: &[(&str, &str)]) -> OpOcc {
        let placement: BTreeMap<String, String> =
            placement.iter().map(|(vnf, site)| ((*vnf).to_owned(), (*site).to_owned())).collect();
        let op = self.nfvo.instantiate(&nsr.id, placement).unwrap();
        self.nfvo.wait(&op.id).await.unwrap()
    }

    /// Onboards, creates and instantiates; the operation must complete.
    pub async fn launch(&self, nsd: &[u8]) -> Nsr {
        let nsr = self.create(nsd);
        let op = self.instantiate(&nsr, &[]).await;
        assert_eq!(op.state, OperationState::Completed, "{op:?}");
        self.nfvo.nsr(&nsr.id).unwrap()
    }

    /// Onboards, creates and instantiates every VNF at `site`; the operation must complete.
    pub async fn launch_at(&self, nsd: &[u8], site: &str) -> Nsr {
        let nsr = self.create(nsd);
        let names: Vec<String> = self
            .nfvo
            .parsed_nsd(&nsr.nsd_id)
            .unwrap()
            .vnfd()
            .iter()
            .map(|v| v.name.clone())
            .collect();
        let placement: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), site)).collect();
        let op = self.instantiate(&nsr, &placement).await;
        assert_eq!(op.state, OperationState::Completed, "{op:?}");
        self.nfvo.nsr(&nsr.id).unwrap()
    }

    pub async fn scale(&self, nsr: &Nsr, vnf: &str, instances: u32) -> OpOcc {
        self.scale_at(nsr, vnf, instances, None).await
    }

    /// Scales, new instances going to `site`.
    pub async fn scale_at(&self, nsr: &Nsr, vnf: &str, n: u32, site: Option<&str>) -> OpOcc {
        let op = self.nfvo.scale(&nsr.id, vnf, n, site.map(str::to_owned)).unwrap();
        self.nfvo.wait(&op.id).await.unwrap()
    }

    pub async fn terminate(&self, nsr: &Nsr) -> OpOcc {
        let op = self.nfvo.terminate(&nsr.id).unwrap();
        self.nfvo.wait(&op.id).await.unwrap()
    }

    /// The NSR's container names at `site`, as the fake holds them.
    pub fn names(&self, site: &str) -> Vec<String> {
        self.fake.containers(site).into_iter().map(|c| c.name).collect()
    }

    /// Whether the records and the fake agree: the intent log, the NSR's VNFC instances and
    /// networks, and what the sites hold are the same objects.
    pub fn assert_consistent(&self, nsr_id: &str, sites: &[&str]) {
        let nsr = self.nfvo.nsr(nsr_id).unwrap();
        let held = self.nfvo.store().resources_of_nsr(nsr_id).unwrap();
        // An extension is held at its master, whose network the log holds too.
        let mut in_log: Vec<String> = held
            .iter()
            .filter(|r| r.kind != crate::store::ResourceKind::Extension)
            .map(|r| format!("{}/{}", r.site, r.name))
            .collect();
        let mut in_record: Vec<String> = nsr
            .vnfcs()
            .map(|(_, vnfc)| format!("{}/{}", vnfc.site, vnfc.name))
            .chain(nsr.networks.iter().map(|n| format!("{}/{}", n.site, n.name)))
            .collect();
        let mut at_sites: Vec<String> = sites
            .iter()
            .flat_map(|site| {
                self.names(site)
                    .into_iter()
                    .chain(self.fake.networks(site))
                    .map(move |name| format!("{site}/{name}"))
            })
            .collect();
        in_log.sort();
        in_record.sort();
        at_sites.sort();
        assert_eq!(in_log, at_sites, "intent log vs sites");
        assert_eq!(in_record, at_sites, "record vs sites");
    }
}
