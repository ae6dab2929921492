//! An NFVO process over a lab: every site registered with its popd and its agent, and the
//! thesis's SIPp NSD with a fixed number of calls.

use std::time::{Duration, Instant};

use archipel_testkit::NfvoProcess;
use serde_json::{json, Value};

use crate::harness::{text, Lab, BIN};

pub struct Orchestrator {
    pub nfvo: NfvoProcess,
}

impl Orchestrator {
    /// An NFVO taking its subnets from a /22 of the lab's lease, with every site registered.
    pub fn over(lab: &Lab) -> Self {
        let pool = lab.subnet.slash24(8).replace("/24", "/22");
        let nfvo = NfvoProcess::start(BIN, &pool);
        let o = Self { nfvo };
        for site in &lab.ctx.sites {
            let mut cmd = o.nfvo.cli();
            cmd.args(["site", "add", &site.name, "--pop", &site.popd_url])
                .args(["--agent", &site.agent_url, "-o", "json"])
                .env("POP_AUTH", &site.popd_auth)
                .env("ARCHIPEL_AGENT_TOKEN", &site.agent_token);
            let added = o.run(cmd, "site add");
            assert!(added["tunnelMtu"].as_u64().is_some(), "{added}");
        }
        o
    }

    fn run(&self, mut cmd: std::process::Command, what: &str) -> Value {
        let out = cmd.env("RUST_LOG", "error").output().expect("run archipel");
        archipel_testkit::json_output(&out, what, || self.nfvo.log())
    }

    /// `archipel ARGS -o json` against the NFVO, which must succeed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut cmd = self.nfvo.cli();
        cmd.args(args).args(["-o", "json"]);
        self.run(cmd, &format!("{args:?}"))
    }

    /// `archipel ARGS` against the NFVO.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        self.nfvo.cli().args(args).env("RUST_LOG", "error").output().expect("run archipel")
    }

    /// Onboards the SIPp NSD under `name`, its client stopping after `calls` calls.
    pub fn onboard_sipp(&self, name: &str, calls: u32) -> String {
        self.onboard(&sipp_nsd(name, calls))
    }

    /// Onboards `nsd`; returns its id.
    pub fn onboard(&self, nsd: &Value) -> String {
        let name = s(&nsd["name"]);
        let file = self.nfvo.data_dir.path().join(format!("{name}.json"));
        crate::secrets::write_private(&file, &serde_json::to_vec(&nsd).unwrap());
        let onboarded = self.json(&["ns", "onboard", file.to_str().unwrap()]);
        onboarded["id"].as_str().expect("an NSD id").to_owned()
    }

    /// `ns launch NSD --place VNF=SITE… --wait`: the NSR as it ended.
    pub fn launch(&self, nsd: &str, placement: &[(&str, &str)]) -> std::process::Output {
        let places: Vec<String> = placement.iter().map(|(v, s)| format!("{v}={s}")).collect();
        let mut args = vec!["ns", "launch", nsd, "--wait", "-o", "json"];
        for p in &places {
            args.extend(["--place", p.as_str()]);
        }
        self.cli(&args)
    }
}

/// The thesis's NSD named `name`, its client stopping after `calls` calls.
pub fn sipp_nsd(name: &str, calls: u32) -> Value {
    let mut nsd = archipel_testkit::sipp_nsd();
    nsd["name"] = json!(name);
    let params = vnfd_mut(&mut nsd, "sipp-client")["configurations"]["configurationParameters"]
        .as_array_mut()
        .unwrap();
    params.push(json!({"confKey": "SIPP_CALLS", "value": calls.to_string()}));
    params.push(json!({"confKey": "SIPP_TIMEOUT", "value": "60"}));
    nsd
}

pub fn vnfd_mut<'a>(nsd: &'a mut Value, vnf: &str) -> &'a mut Value {
    let vnfds = nsd["vnfd"].as_array_mut().expect("vnfd");
    vnfds.iter_mut().find(|v| v["name"] == vnf).unwrap_or_else(|| panic!("no VNFD {vnf}"))
}

/// The VNFC instances of VNF `vnf` in an NsInstance.
pub fn vnfcs(ns: &Value, vnf: &str) -> Vec<Value> {
    let vnfrs = ns["vnfInstance"].as_array().expect("vnfInstance");
    let vnfr = vnfrs.iter().find(|v| v["vnfdId"] == vnf).unwrap_or_else(|| panic!("{ns}"));
    vnfr["vnfcInstances"].as_array().unwrap().clone()
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Waits until container `name` of `site` has ended; returns its Pop view.
pub fn ended(lab: &Lab, site: &str, name: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let servers = lab.json(site, &["pop", "servers", name]);
        let c = servers.as_array().and_then(|l| l.first()).cloned().unwrap_or(servers);
        if c["status"] == "EXITED" || c["status"] == "FAILED" {
            return c;
        }
        assert!(Instant::now() < deadline, "{name} at {site} never ended: {c}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The cumulative "Successful call" counter of sipp's last statistics screen in the log of
/// container `name` of `site`.
pub fn successful_calls(lab: &Lab, site: &str, name: &str) -> (Option<u64>, String) {
    let log = text(&lab.cli(site, &["pop", "logs", name]).stdout);
    (archipel_testkit::sipp_counter(&log, "Successful call"), log)
}
