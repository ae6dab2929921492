//! The core over the real Docker runtime: a lifecycle, a workload that ends by itself, and a
//! restart of popd that re-adopts what runs. Needs the Docker Engine; fails without it.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use archipel_pop::model::{
    ContainerState, CreateContainer, CreateNetwork, EndpointRequest, Selector,
};
use archipel_pop::reconcile;
use archipel_pop::runtime::docker::DockerRuntime;
use archipel_pop::runtime::LABEL_POPD;
use archipel_pop::store::Store;
use archipel_pop::{Pop, PopSettings};
use archipel_testkit::{unique, TestSubnet};

const IMAGE: &str = "archipel-test/busybox:latest";
/// Only guards against a hang; never a timing the test asserts.
const PATIENCE: Duration = Duration::from_secs(60);

/// Removes every container and network labelled with the instance, also when the test fails.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let filter = format!("label={LABEL_POPD}={}", self.0);
        let ids = |args: &[&str]| -> Vec<String> {
            Command::new("docker")
                .args(args)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).lines().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        for id in ids(&["ps", "-aq", "--filter", &filter]) {
            let _ = Command::new("docker").args(["rm", "-f", "-v", &id]).output();
        }
        for id in ids(&["network", "ls", "-q", "--filter", &filter]) {
            let _ = Command::new("docker").args(["network", "rm", &id]).output();
        }
    }
}

fn build_image() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/images/build-docker-test-images.sh");
    let status = Command::new(&script).status().expect("run the image build script");
    assert!(status.success(), "{} failed", script.display());
}

async fn open(dir: &Path, settings: &PopSettings) -> Pop {
    let runtime = DockerRuntime::connect(&settings.name)
        .await
        .expect("the Docker Engine must be reachable for this test");
    let store = Arc::new(Store::open(dir).unwrap());
    Pop::open(store, Arc::new(runtime), settings.clone()).await.unwrap()
}

fn name(n: &str) -> Selector {
    Selector::Name(n.into())
}

fn container(n: &str, network: &str) -> CreateContainer {
    CreateContainer {
        name: n.into(),
        image: IMAGE.into(),
        flavour: String::new(),
        endpoints: vec![EndpointRequest { network: network.into(), address: None }],
    }
}

fn labelled(instance: &str) -> Vec<String> {
    let filter = format!("label={LABEL_POPD}={instance}");
    let out = Command::new("docker").args(["ps", "-aq", "--filter", &filter]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
}

#[tokio::test]
#[ignore = "needs docker"]
async fn lifecycle_and_recovery_over_docker() {
    build_image();
    let subnets = TestSubnet::lease();
    let instance = unique("apc");
    let _cleanup = Cleanup(instance.clone());
    let dir = tempfile::tempdir().unwrap();
    let net = unique("apn");
    let settings = PopSettings {
        name: instance.clone(),
        default_network: net.clone(),
        default_subnet: subnets.slash24(0).parse().unwrap(),
        stop_timeout: Duration::from_secs(5),
        flavours: Vec::new(),
    };

    let pop = open(dir.path(), &settings).await;
    let idle = pop.create(container("idle", &net)).await.unwrap();
    pop.create(container("quits", &net)).await.unwrap();
    let cmd = BTreeMap::from([("CMD".to_string(), "exit 3".to_string())]);
    pop.set_metadata(&name("quits"), cmd).await.unwrap();
    let running = pop.start(&name("idle")).await.unwrap();
    pop.start(&name("quits")).await.unwrap();

    let since = Instant::now();
    while pop.container(&name("quits")).unwrap().state == ContainerState::Running {
        assert!(since.elapsed() < PATIENCE, "the ended workload was never noticed");
        tokio::time::sleep(Duration::from_millis(200)).await;
        reconcile::poll_once(&pop).await;
    }
    let quits = pop.container(&name("quits")).unwrap();
    assert_eq!((quits.state, quits.exit_code), (ContainerState::Failed, Some(3)));
    drop(pop);

    // A restarted popd re-adopts the running workload instead of starting another.
    let pop = open(dir.path(), &settings).await;
    let adopted = pop.container(&name("idle")).unwrap();
    assert_eq!(adopted.state, ContainerState::Running);
    assert_eq!(adopted.runtime_id, running.runtime_id);
    assert_eq!(adopted.endpoints, running.endpoints);
    let next = pop.create(container("next", &net)).await.unwrap();
    assert_ne!(next.endpoints[&net].address, idle.endpoints[&net].address);

    let stopped = pop.stop(&name("idle"), None).await.unwrap();
    assert_eq!((stopped.state, stopped.exit_code), (ContainerState::Exited, Some(0)));
    let extra = pop
        .create_network(CreateNetwork {
            name: unique("apx"),
            subnet: subnets.slash24(1).parse().unwrap(),
            gateway: None,
            pools: vec![],
            mtu: None,
        })
        .await
        .unwrap();
    assert!(!extra.attachment.bridge.is_empty());
    pop.delete_network(&Selector::Id(extra.id)).await.unwrap();
    for n in ["idle", "quits", "next"] {
        pop.delete(&name(n), None).await.unwrap();
    }
    assert!(labelled(&instance).is_empty(), "deleted containers leave nothing in Docker");
}
