//! A site under test: one popd process, its leased subnet, and ways to talk to it.

use std::collections::BTreeMap;
use std::process::Output;
use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_testkit::{require_docker, PopdProcess, PopdRuntime, TestSubnet};
use pb::pop_client::PopClient;
use tonic::transport::Channel;

pub const BIN: &str = env!("CARGO_BIN_EXE_archipel");
pub const IMAGE: &str = "archipel-test/busybox:latest";

pub struct Site {
    pub popd: PopdProcess,
    pub subnet: TestSubnet,
}

impl Site {
    pub fn docker(extra: &[&str]) -> Self {
        require_docker();
        let subnet = TestSubnet::lease();
        let popd = PopdProcess::start(BIN, PopdRuntime::Docker, &subnet.slash24(0), extra);
        Self { popd, subnet }
    }

    /// A container name unique on this machine.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.popd.name)
    }

    /// `archipel pop --output json ARGS`; panics with stderr when it fails.
    pub fn cli_json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "archipel pop {args:?} failed: {}\npopd log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.popd.log()
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "archipel pop {args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
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
