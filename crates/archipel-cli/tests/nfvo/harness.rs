//! A world under test: one NFVO, its sites (one popd each), a leased subnet, and ways to look
//! at what each holds.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Output;
use std::time::{Duration, Instant};

use archipel_testkit::{
    docker, native, require_docker, require_root, sh, NfvoProcess, PopdProcess, PopdRuntime,
    TestSubnet,
};
use serde_json::Value;

pub use archipel_testkit::{sipp_nsd, SIPP_NSD};
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_archipel");

/// A site: its name at the NFVO and its popd.
pub struct Site {
    pub name: String,
    pub popd: PopdProcess,
    pub rt: PopdRuntime,
}

/// Fields drop in order: the NFVO stops first, so it cannot act on a site being cleaned.
pub struct World {
    pub nfvo: NfvoProcess,
    pub sites: Vec<Site>,
    pub files: TempDir,
    _subnet: TestSubnet,
}

impl World {
    /// An NFVO and one registered site per runtime given, named `site-a`, `site-b`, …
    pub fn new(runtimes: &[PopdRuntime]) -> Self {
        Self::with_nfvo_flags(runtimes, &[])
    }

    /// The same, `archipel nfvo` given `flags` too.
    pub fn with_nfvo_flags(runtimes: &[PopdRuntime], flags: &[&str]) -> Self {
        if runtimes.contains(&PopdRuntime::Native) {
            require_root();
        }
        if runtimes.contains(&PopdRuntime::Docker) {
            require_docker();
        }
        let subnet = TestSubnet::lease();
        let sites: Vec<Site> = runtimes
            .iter()
            .zip(0u8..)
            .map(|(&rt, i)| Site {
                name: format!("site-{}", char::from(b'a' + i)),
                popd: PopdProcess::start(BIN, rt, &subnet.slash24(u32::from(i)), &[]),
                rt,
            })
            .collect();
        // The /24s 4..8 of the lease: the sites' default networks use the first ones.
        let nfvo = NfvoProcess::start_with(BIN, &subnet.slash22(1), flags);
        let world =
            Self { nfvo, sites, files: tempfile::tempdir().expect("temp dir"), _subnet: subnet };
        for site in &world.sites {
            world.cli_json(&[
                "site",
                "add",
                &site.name,
                "--pop",
                &site.popd.endpoint,
                "--auth",
                &site.popd.auth,
            ]);
        }
        world
    }

    /// `archipel ARGS` against the NFVO.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.nfvo.cli().args(args).output().expect("run archipel")
    }

    /// `archipel ARGS -o json`; panics with stderr and the NFVO's log when it fails.
    pub fn cli_json(&self, args: &[&str]) -> Value {
        let out = self.nfvo.cli().args(args).args(["-o", "json"]).output().expect("run archipel");
        archipel_testkit::json_output(&out, &format!("archipel {args:?}"), || self.nfvo.log())
    }

    /// Onboards a document written to a file; returns the NSD's id.
    pub fn onboard(&self, nsd: &Value) -> String {
        let path = self.files.path().join(format!("{}.json", archipel_testkit::unique("nsd")));
        std::fs::write(&path, serde_json::to_vec_pretty(nsd).unwrap()).expect("write NSD");
        let info = self.cli_json(&["ns", "onboard", path.to_str().unwrap()]);
        info["id"].as_str().expect("an NSD id").to_owned()
    }

    /// `ns launch NSD --wait`; returns the network service.
    pub fn launch(&self, nsd: &str, extra: &[&str]) -> Value {
        let args = [&["ns", "launch", nsd, "--wait"][..], extra].concat();
        self.cli_json(&args)
    }

    pub fn show(&self, ns: &str) -> Value {
        self.cli_json(&["ns", "show", ns])
    }

    /// One plain HTTP/1.0 request to the NFVO as its admin; returns the status and the body.
    pub fn http(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        self.http_as(Some(&self.nfvo.token()), method, path, body)
    }

    /// The same with `token` as the bearer credential, or none.
    pub fn http_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let addr = self.nfvo.endpoint.strip_prefix("http://").expect("an http endpoint");
        let mut stream = TcpStream::connect(addr).expect("connect to the nfvo");
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             {auth}Content-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read the response");
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no header end in {}", String::from_utf8_lossy(&response)));
        let status_line = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {status_line}"));
        (status, response[split + 4..].to_vec())
    }

    /// Polls `ns ops` until the operation `id` has ended; returns it.
    pub fn wait_op(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ops = self.cli_json(&["ns", "ops"]);
            let op = ops
                .as_array()
                .unwrap()
                .iter()
                .find(|op| op["id"] == id)
                .unwrap_or_else(|| panic!("no operation {id} in {ops}"))
                .clone();
            if op["operationState"] != "PROCESSING" {
                return op;
            }
            assert!(Instant::now() < deadline, "operation {id} never ended: {op}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Site {
    /// `archipel pop -o json ARGS` against this site's popd.
    pub fn pop_json(&self, args: &[&str]) -> Value {
        let out = self.pop(args);
        assert!(
            out.status.success(),
            "archipel pop {args:?} failed: {}\npopd log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.popd.log()
        );
        serde_json::from_slice(&out.stdout).expect("pop printed JSON")
    }

    pub fn pop(&self, args: &[&str]) -> Output {
        self.popd.cli().args(["pop", "--output", "json"]).args(args).output().expect("run pop")
    }

    /// The site's containers, by name.
    pub fn servers(&self) -> BTreeMap<String, Value> {
        let list = self.pop_json(&["servers"]);
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_owned(), c.clone()))
            .collect()
    }

    /// The names of the site's networks but its default one.
    pub fn networks(&self) -> Vec<String> {
        let list = self.pop_json(&["networks"]);
        list.as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_owned())
            .filter(|n| *n != self.popd.default_network)
            .collect()
    }

    /// The workload's environment: `docker exec env`, or `/proc/PID/environ` of the first
    /// process of the native container's namespace (found by the address it holds).
    pub fn env(&self, name: &str, addr: &str) -> BTreeMap<String, String> {
        match self.rt {
            PopdRuntime::Docker => docker(&["exec", name, "env"])
                .lines()
                .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
                .collect(),
            PopdRuntime::Native => {
                let pid = self.native_pid(name, addr);
                let raw = std::fs::read(format!("/proc/{pid}/environ")).expect("read environ");
                raw.split(|b| *b == 0)
                    .filter_map(|kv| {
                        let kv = String::from_utf8_lossy(kv).into_owned();
                        kv.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned()))
                    })
                    .collect()
            }
        }
    }

    /// The first process of the native container `name`'s namespace, found by the address
    /// `addr` it holds.
    pub fn native_pid(&self, name: &str, addr: &str) -> u32 {
        let ns = native::namespaces(&self.popd.native_netns_prefix())
            .into_iter()
            .find(|ns| {
                sh(&format!("ip -n {ns} -4 -o addr show")).contains(&format!("inet {addr}/"))
            })
            .unwrap_or_else(|| panic!("no namespace holds {name}'s address {addr}"));
        *native::pids(&ns).first().expect("a process in the namespace")
    }

    /// `kill -9` of container `name`'s workload (its address `addr`), behind popd's back.
    pub fn kill_workload(&self, name: &str, addr: &str) {
        match self.rt {
            PopdRuntime::Docker => {
                docker(&["kill", "--signal", "KILL", name]);
            }
            PopdRuntime::Native => {
                sh(&format!("kill -9 {}", self.native_pid(name, addr)));
            }
        }
    }

    /// The output of container `name`'s workload.
    pub fn logs(&self, name: &str) -> String {
        let out = self.popd.cli().args(["pop", "logs", name]).output().expect("run pop logs");
        assert!(out.status.success(), "pop logs: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// What the runtime still holds for this popd: Docker containers and networks labelled
    /// with it but its default network, or native container namespaces.
    pub fn runtime_leftovers(&self) -> String {
        match self.rt {
            PopdRuntime::Docker => {
                let label = format!("label=archipel.popd={}", self.popd.name);
                let nets = docker(&["network", "ls", "--format", "{{.Name}}", "--filter", &label]);
                let nets = nets.lines().filter(|n| *n != self.popd.default_network);
                docker(&["ps", "-a", "--format", "{{.Names}}", "--filter", &label])
                    .lines()
                    .chain(nets)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            PopdRuntime::Native => native::namespaces(&self.popd.native_netns_prefix()).join(" "),
        }
    }
}

/// The thesis's NSD as a value. It has a trailing comma in an array (the NFVO accepts that,
/// as Open Baton did); serde_json does not, so such commas are blanked first.
/// The configuration parameters of a VNFD of `nsd`.
pub fn configuration(nsd: &Value, vnf: &str) -> BTreeMap<String, String> {
    vnfd(nsd, vnf)["configurations"]["configurationParameters"]
        .as_array()
        .map(|params| {
            params
                .iter()
                .map(|p| {
                    (
                        p["confKey"].as_str().unwrap().to_owned(),
                        p["value"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The SIPp NSD named `name`, its client making `calls` calls and ending.
pub fn sipp_calls(name: &str, calls: u32) -> Value {
    let mut nsd = sipp_nsd();
    nsd["name"] = serde_json::json!(name);
    vnfd_mut(&mut nsd, "sipp-client")["configurations"]["configurationParameters"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"confKey": "SIPP_CALLS", "value": calls.to_string()}));
    nsd
}

/// The VNFD of `nsd` named `vnf`, to read or change.
pub fn vnfd<'a>(nsd: &'a Value, vnf: &str) -> &'a Value {
    nsd["vnfd"].as_array().unwrap().iter().find(|v| v["name"] == vnf).expect("a VNFD")
}

pub fn vnfd_mut<'a>(nsd: &'a mut Value, vnf: &str) -> &'a mut Value {
    nsd["vnfd"].as_array_mut().unwrap().iter_mut().find(|v| v["name"] == vnf).expect("a VNFD")
}

/// The VNFC instances of a VNF in a network service, in index order.
pub fn vnfcs(ns: &Value, vnf: &str) -> Vec<Value> {
    let vnfr = ns["vnfInstance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vnfdId"] == vnf)
        .unwrap_or_else(|| panic!("no VNF {vnf} in {ns}"));
    let mut list = vnfr["vnfcInstances"].as_array().unwrap().clone();
    list.sort_by_key(|v| v["index"].as_u64());
    list
}

/// Every VNFC instance of a network service.
pub fn all_vnfcs(ns: &Value) -> Vec<Value> {
    ns["vnfInstance"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["vnfcInstances"].as_array().unwrap().clone())
        .collect()
}

pub fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Asserts that the site holds exactly the VNFC instances the records name, with the same
/// ids and addresses, each RUNNING.
pub fn assert_site_matches(site: &Site, ns: &Value) {
    let servers = site.servers();
    let records = all_vnfcs(ns);
    let mut recorded: Vec<&str> = records.iter().map(|v| str_of(&v["name"])).collect();
    recorded.sort_unstable();
    let held: Vec<&str> = servers.keys().map(String::as_str).collect();
    assert_eq!(recorded, held, "records and site disagree\nrecords: {ns}");
    for vnfc in &records {
        let c = &servers[str_of(&vnfc["name"])];
        assert_eq!(c["extId"], vnfc["popId"], "{c}\n{vnfc}");
        assert_eq!(c["status"], "RUNNING", "{c}");
        for (link, addr) in vnfc["addresses"].as_object().unwrap() {
            let net = ns["virtualLinkInfo"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["virtualLink"] == link.as_str() && n["vimId"] == site.name.as_str())
                .unwrap_or_else(|| panic!("no network for link {link} in {ns}"));
            assert_eq!(c["ips"][str_of(&net["name"])][0], *addr, "{c}\n{vnfc}");
        }
    }
}
