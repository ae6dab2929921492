//! A site under test: one popd process, its leased subnet, and ways to talk to it.

use std::collections::BTreeMap;
use std::process::Output;
use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_testkit::{
    docker, docker_ok, native, require_docker, require_root, run, sh, PopdProcess, PopdRuntime,
    TestSubnet,
};
use pb::pop_client::PopClient;
use tonic::transport::Channel;

pub const BIN: &str = env!("CARGO_BIN_EXE_archipel");
pub const IMAGE: &str = "archipel-test/busybox:latest";

pub struct Site {
    pub popd: PopdProcess,
    pub subnet: TestSubnet,
    pub rt: PopdRuntime,
}

/// Runs one async test body against a popd of each runtime: the one Pop API suite for both.
#[macro_export]
macro_rules! on_both_runtimes {
    ($body:ident) => {
        mod $body {
            #[tokio::test(flavor = "multi_thread")]
            #[ignore = "needs docker"]
            async fn docker() {
                super::$body(archipel_testkit::PopdRuntime::Docker).await
            }
            #[tokio::test(flavor = "multi_thread")]
            #[ignore = "needs root"]
            async fn native() {
                super::$body(archipel_testkit::PopdRuntime::Native).await
            }
        }
    };
}

impl Site {
    pub fn new(rt: PopdRuntime, extra: &[&str]) -> Self {
        match rt {
            PopdRuntime::Docker => require_docker(),
            PopdRuntime::Native => require_root(),
        }
        let subnet = TestSubnet::lease();
        let popd = PopdProcess::start(BIN, rt, &subnet.slash24(0), extra);
        Self { popd, subnet, rt }
    }

    /// The network namespace of a native container, found by the address it holds.
    fn netns_of(&self, addr: &str) -> Option<String> {
        native::namespaces(&self.popd.native_netns_prefix()).into_iter().find(|ns| {
            sh(&format!("ip -n {ns} -4 -o addr show")).contains(&format!("inet {addr}/"))
        })
    }

    fn netns_of_running(&self, name: &str, addr: &str) -> String {
        self.netns_of(addr).unwrap_or_else(|| panic!("no namespace holds {name}'s address {addr}"))
    }

    /// The processes in a running native container's namespace.
    pub fn pids(&self, name: &str, addr: &str) -> Vec<u32> {
        native::pids(&self.netns_of_running(name, addr))
    }

    /// Whether the runtime holds a workload for this container (by name for Docker, by the
    /// namespace holding its address for native).
    pub fn runs(&self, name: &str, addr: &str) -> bool {
        match self.rt {
            PopdRuntime::Docker => {
                !docker(&["ps", "-aq", "--filter", &format!("name=^{name}$")]).trim().is_empty()
            }
            PopdRuntime::Native => self.netns_of(addr).is_some(),
        }
    }

    /// The workload's environment: `docker exec env`, or `/proc/PID/environ` of the native
    /// container's processes.
    pub fn env(&self, name: &str, addr: &str) -> BTreeMap<String, String> {
        match self.rt {
            PopdRuntime::Docker => docker_env(name),
            PopdRuntime::Native => {
                let ns = self.netns_of_running(name, addr);
                let pid = *native::pids(&ns).first().expect("a process in the namespace");
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

    /// The IPv4 addresses of the container's first interface, as `ip -4 -o addr` prints them.
    pub fn addr_line(&self, name: &str, addr: &str) -> String {
        match self.rt {
            PopdRuntime::Docker => {
                docker(&["exec", name, "ip", "-4", "-o", "addr", "show", "eth0"])
            }
            PopdRuntime::Native => {
                sh(&format!("ip -n {} -4 -o addr show eth0", self.netns_of_running(name, addr)))
            }
        }
    }

    /// Pings `target` from inside the container; panics if it gets no answer.
    pub fn ping(&self, name: &str, addr: &str, target: &str) {
        match self.rt {
            PopdRuntime::Docker => {
                docker(&["exec", name, "ping", "-c", "2", "-W", "2", target]);
            }
            PopdRuntime::Native => {
                let ns = self.netns_of_running(name, addr);
                sh(&format!("ip netns exec {ns} busybox ping -c 2 -W 2 {target}"));
            }
        }
    }

    /// What identifies the running workload: Docker's id and start time, or the native
    /// namespace's processes with their start times.
    pub fn identity(&self, name: &str, addr: &str) -> String {
        match self.rt {
            PopdRuntime::Docker => {
                docker(&["inspect", "-f", "{{.Id}} {{.State.StartedAt}} {{.State.Running}}", name])
            }
            PopdRuntime::Native => {
                // The supervisor is the oldest process of the namespace (pids wrap, so not
                // necessarily the lowest); the workload's own children (a `sleep` in a loop)
                // come and go.
                let ns = self.netns_of_running(name, addr);
                let (start, pid) = native::pids(&ns)
                    .into_iter()
                    .filter_map(|pid| {
                        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                        let after = stat.rsplit_once(')')?.1.to_owned();
                        // Field 22 (starttime) is the 20th after the command's closing paren.
                        let start: u64 = after.split_whitespace().nth(19)?.parse().ok()?;
                        Some((start, pid))
                    })
                    .min()
                    .expect("a process in the namespace");
                format!("{ns} {pid}@{start}")
            }
        }
    }

    /// Leaves something in the runtime that looks like this popd's but has no record; returns
    /// a check that tells whether it is gone.
    pub fn make_orphan(&self) -> Box<dyn Fn() -> bool> {
        match self.rt {
            PopdRuntime::Docker => {
                let orphan = self.name("orphan");
                let label = format!("archipel.popd={}", self.popd.name);
                docker(&[
                    "run",
                    "-d",
                    "--name",
                    &orphan,
                    "--label",
                    &label,
                    "--label",
                    "archipel.pop-id=ffffffff",
                    "--network",
                    "none",
                    IMAGE,
                ]);
                Box::new(move || !docker_ok(&["inspect", &orphan]))
            }
            PopdRuntime::Native => {
                let ns = format!("{}ffffffffffff", self.popd.native_netns_prefix());
                sh(&format!("ip netns add {ns}"));
                Box::new(move || !native::namespaces(&ns).contains(&ns))
            }
        }
    }

    /// How many workloads this popd has in the runtime: Docker containers labelled as its, or
    /// native container namespaces.
    pub fn workloads(&self) -> usize {
        match self.rt {
            PopdRuntime::Docker => {
                let label = format!("label=archipel.popd={}", self.popd.name);
                docker(&["ps", "-aq", "--filter", &label]).split_whitespace().count()
            }
            PopdRuntime::Native => native::namespaces(&self.popd.native_netns_prefix()).len(),
        }
    }

    /// What this popd still holds in the runtime; empty when nothing is left.
    pub fn leftovers(&self, bridges: &[String]) -> String {
        match self.rt {
            PopdRuntime::Docker => {
                let label = format!("label=archipel.popd={}", self.popd.name);
                docker(&["ps", "-aq", "--filter", &label])
                    + &docker(&["network", "ls", "-q", "--filter", &label])
            }
            PopdRuntime::Native => {
                let mut left = native::namespaces(&self.popd.native_netns_prefix()).join(" ");
                for b in bridges {
                    if run("ip", &["link", "show", b]).status.success() {
                        left.push_str(&format!(" bridge {b}"));
                    }
                }
                left.trim().to_owned()
            }
        }
    }

    /// A container name unique on this machine.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.popd.name)
    }

    /// `archipel pop --output json ARGS`; panics with stderr when it fails.
    pub fn cli_json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cli(args);
        archipel_testkit::json_output(&out, &format!("archipel pop {args:?}"), || self.popd.log())
    }

    pub fn cli(&self, args: &[&str]) -> Output {
        self.popd
            .cli()
            .args(["pop", "--output", "json"])
            .args(args)
            .output()
            .expect("run archipel pop")
    }

    /// A raw gRPC client, not logged in.
    pub async fn raw(&self) -> PopClient<Channel> {
        PopClient::connect(self.popd.endpoint.clone()).await.expect("connect to popd")
    }

    /// A raw gRPC client and a fresh token.
    pub async fn login(&self) -> (PopClient<Channel>, String) {
        let mut c = self.raw().await;
        let (user, password) = self.popd.auth.split_once(':').unwrap();
        let token = c
            .login(pb::Credentials { username: user.into(), password: password.into() })
            .await
            .expect("login")
            .into_inner()
            .value;
        (c, token)
    }

    /// The container as the Containers RPC shows it.
    pub async fn container(&self, token: &str, name: &str) -> Option<pb::Container> {
        let (mut c, _) = (self.raw().await, ());
        let list = c.containers(authed(token, by_name(name))).await.expect("containers");
        list.into_inner().list.into_iter().next()
    }

    pub async fn wait_status(
        &self,
        token: &str,
        name: &str,
        want: pb::container::Status,
    ) -> pb::Container {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let c = self.container(token, name).await.expect("container exists");
            if c.status() == want {
                return c;
            }
            assert!(Instant::now() < deadline, "{name} never became {want:?}: {c:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Creates network `name` on `cidr` whose one pool is exactly `size` addresses from the
/// subnet's third one; returns the first and last of the pool.
pub async fn network_with_pool(
    c: &mut PopClient<Channel>,
    token: &str,
    name: &str,
    cidr: &str,
    size: u32,
) -> (std::net::Ipv4Addr, std::net::Ipv4Addr) {
    let base: std::net::Ipv4Addr = cidr.split('/').next().unwrap().parse().unwrap();
    let first = std::net::Ipv4Addr::from(u32::from(base) + 2);
    let last = std::net::Ipv4Addr::from(u32::from(base) + 1 + size);
    let config = pb::NetworkConfig {
        name: name.to_owned(),
        subnet: Some(pb::Subnet { cidr: cidr.to_owned(), gateway: String::new() }),
        pools: vec![pb::Pool { first: first.to_string(), last: last.to_string() }],
        mtu: 0,
    };
    c.create_network(authed(token, config)).await.expect("create network");
    (first, last)
}

/// The rounds a fault test runs: `ARCHIPEL_FAULT_ROUNDS` (`scripts/soak.sh` sets it), else
/// `default`.
pub fn fault_rounds(default: usize) -> usize {
    std::env::var("ARCHIPEL_FAULT_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(default)
}

/// A request carrying the session token in metadata key `token`.
pub fn authed<T>(token: &str, msg: T) -> tonic::Request<T> {
    let mut req = tonic::Request::new(msg);
    req.metadata_mut().insert("token", token.parse().expect("ascii token"));
    req
}

pub fn by_name(name: &str) -> pb::Filter {
    pb::Filter { options: Some(pb::filter::Options::Name(name.into())) }
}

pub fn by_id(id: &str) -> pb::Filter {
    pb::Filter { options: Some(pb::filter::Options::Id(id.into())) }
}

/// A ContainerConfig with one endpoint per (network, wanted address or "").
pub fn config(name: &str, image: &str, endpoints: &[(&str, &str)]) -> pb::ContainerConfig {
    let endpoints = endpoints
        .iter()
        .map(|(net, ip)| {
            let ipv4 = (!ip.is_empty()).then(|| pb::Ip { address: ip.to_string(), subnet: None });
            (
                net.to_string(),
                pb::Endpoint { net_name: net.to_string(), ipv4, ..Default::default() },
            )
        })
        .collect();
    pb::ContainerConfig {
        name: name.into(),
        image_id: image.into(),
        endpoints,
        ..Default::default()
    }
}

/// The IPv4 address of a container on a network.
pub fn address(c: &pb::Container, net: &str) -> String {
    c.endpoints
        .get(net)
        .and_then(|e| e.ipv4.as_ref())
        .map(|ip| ip.address.clone())
        .unwrap_or_else(|| panic!("{:?} has no address on {net}", c.names))
}

pub fn metadata(entries: &[(&str, &str)]) -> Option<pb::Metadata> {
    Some(pb::Metadata {
        entries: entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect(),
    })
}

/// The environment of a running Docker container, as `docker exec NAME env` shows it.
pub fn docker_env(name: &str) -> BTreeMap<String, String> {
    archipel_testkit::docker(&["exec", name, "env"])
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}
