//! A popd under measurement, spoken to through the raw Pop protocol with one cached token, so
//! that what is measured is the server's work and not the client's logins.

use anyhow::{Context, Result};
use archipel_proto::v1 as pb;
use archipel_testkit::{PopdProcess, PopdRuntime, TestSubnet};
use pb::pop_client::PopClient;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

pub const IMAGE: &str = "archipel-test/busybox:latest";

pub struct Popd {
    pub process: PopdProcess,
    pub client: PopClient<Channel>,
    pub token: String,
    /// `a.b.c.` of the default network's /24.
    pub prefix: String,
    _subnet: TestSubnet,
}

impl Popd {
    pub async fn start(bin: &str, runtime: PopdRuntime) -> Result<Self> {
        Self::start_with(bin, runtime, &[], None).await
    }

    /// A popd of the `swarm` runtime on the nodes of `swarm`.
    pub async fn start_swarm(bin: &str, swarm: &archipel_testkit::swarm::Swarm) -> Result<Self> {
        let subnet = TestSubnet::lease();
        let cidr = subnet.slash22(0);
        let process = PopdProcess::start_swarm(bin, &cidr, swarm);
        Self::connect(process, subnet, None).await
    }

    /// A popd started with `extra` flags; reached over TLS with `tls` (then `extra` holds its
    /// `--tls-cert` and `--tls-key`).
    pub async fn start_with(
        bin: &str,
        runtime: PopdRuntime,
        extra: &[&str],
        tls: Option<ClientTlsConfig>,
    ) -> Result<Self> {
        let subnet = TestSubnet::lease();
        let process = PopdProcess::start(bin, runtime, &subnet.slash22(0), extra);
        Self::connect(process, subnet, tls).await
    }

    async fn connect(
        process: PopdProcess,
        subnet: TestSubnet,
        tls: Option<ClientTlsConfig>,
    ) -> Result<Self> {
        let prefix = subnet.slash22(0).trim_end_matches("0/22").to_owned();
        let mut endpoint = Endpoint::from_shared(process.endpoint.clone())?;
        if let Some(tls) = tls {
            endpoint = endpoint.tls_config(tls)?;
        }
        let mut client = PopClient::new(endpoint.connect().await?);
        let (user, password) = process.auth.split_once(':').context("auth")?;
        let token = client
            .login(pb::Credentials { username: user.into(), password: password.into() })
            .await?
            .into_inner()
            .value;
        Ok(Self { process, client, token, prefix, _subnet: subnet })
    }

    pub fn authed<T>(&self, msg: T) -> tonic::Request<T> {
        let mut req = tonic::Request::new(msg);
        req.metadata_mut().insert("token", self.token.parse().expect("ascii token"));
        req
    }

    /// Create then Start of the test image at a fixed address of the default network.
    pub async fn create_start(&self, name: &str, ip: &str) -> Result<()> {
        self.create_start_image(name, ip, IMAGE).await
    }

    /// Create then Start of `image` at a fixed address of the default network.
    pub async fn create_start_image(&self, name: &str, ip: &str, image: &str) -> Result<()> {
        let net = self.process.default_network.clone();
        let ep = pb::Endpoint {
            net_name: net.clone(),
            ipv4: Some(pb::Ip { address: ip.into(), subnet: None }),
            ..Default::default()
        };
        let config = pb::ContainerConfig {
            name: name.into(),
            image_id: image.into(),
            endpoints: [(net, ep)].into(),
            ..Default::default()
        };
        let mut c = self.client.clone();
        c.create(self.authed(config)).await?;
        c.start(self.authed(by_name(name))).await?;
        Ok(())
    }

    pub async fn delete(&self, name: &str) -> Result<()> {
        self.client.clone().delete(self.authed(by_name(name))).await?;
        Ok(())
    }
}

pub fn by_name(name: &str) -> pb::Filter {
    pb::Filter { options: Some(pb::filter::Options::Name(name.into())) }
}
