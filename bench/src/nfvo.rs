//! The NFVO (issue 4): the SIPp service launched to ACTIVE on one Docker site against Debian's
//! `docker-compose up -d` of the same two containers (same images, same environment, the
//! client depending on the server), in the same run, interleaved; then 20 network services
//! launched at once: the time until all are ACTIVE and the NFVO's and popd's resident memory.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use archipel_nfvo::api::dto::{CreateNsRequest, InstantiateNsRequest, SiteRequest};
use archipel_nfvo::client::NfvoClient;
use archipel_testkit::{require_docker, unique, PopdProcess, PopdRuntime, TestSubnet};
use futures::future::try_join_all;
use tempfile::TempDir;

use crate::compose::{self, Project};
use crate::stats::{rss_mib, summarize};

pub(crate) const NSD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sipp/nsd.json");
const SITE: &str = "site-a";
const MANY: usize = 20;
/// How often an operation is looked at: the launch figures' resolution (20 ms hid the scripts
/// benchmark's cost, about 9 ms, in one slot or the next), at a GET's cost to the NFVO.
const POLL: Duration = Duration::from_millis(5);
const DEADLINE: Duration = Duration::from_secs(300);

pub async fn run(bin: &str) -> Result<()> {
    compose::require()?;
    require_docker();
    let runs: usize = match std::env::var("ARCHIPEL_BENCH_NFVO_RUNS") {
        Ok(v) => v.parse().context("ARCHIPEL_BENCH_NFVO_RUNS: a number")?,
        Err(_) => 10,
    };
    let text = std::fs::read_to_string(NSD).context("read the SIPp NSD")?;
    let service = compose::sipp_service(&compose::parse_lenient(&text)?)?;
    // /24 0: the site's default network; /22 1 cut in /27s: the NFVO's pool (32 services);
    // /24 8: the compose network.
    let subnet = TestSubnet::lease();
    let popd = PopdProcess::start(bin, PopdRuntime::Docker, &subnet.slash24(0), &[]);
    let nfvo = Nfvod::start(bin, &subnet.slash22(1), 27)?;
    let client = nfvo.client().await?;
    add_site(&client, SITE, &popd).await?;
    let nsd_id = client.onboard_nsd(text.into_bytes()).await?.id;

    // One untimed round of each first: image layers and code paths warm for both.
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..=runs {
        let mut turns = [true, false];
        if i % 2 == 1 {
            turns.reverse();
        }
        for archipel in turns {
            let t = Instant::now();
            let elapsed = if archipel {
                let ns = launch(&client, &nsd_id).await?;
                let elapsed = t.elapsed();
                teardown(&client, &ns).await?;
                elapsed
            } else {
                let project = Project::new(&unique("nfvobench"), &service, &subnet.slash24(8))?;
                let t = Instant::now();
                project.up()?;
                let elapsed = t.elapsed();
                drop(project);
                elapsed
            };
            if i > 0 {
                if archipel { &mut ours } else { &mut theirs }.push(elapsed);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    let t = Instant::now();
    let many = try_join_all((0..MANY).map(|_| launch(&client, &nsd_id))).await?;
    let many_time = t.elapsed();
    let (nfvo_rss, popd_rss) = (rss_mib(nfvo.pid()), rss_mib(popd.pid()));
    try_join_all(many.iter().map(|ns| teardown(&client, ns))).await?;

    let (a, d) = (summarize(&ours), summarize(&theirs));
    println!("## NFVO: the SIPp service on Docker against docker-compose\n");
    println!("| measure | Archipel | docker-compose, same run |");
    println!("| --- | --- | --- |");
    println!("| launch → ACTIVE (create + instantiate), median of {} | {a} | {d} |", a.n);
    println!("| Archipel / docker-compose | {:.2}× | |", a.median_ms / d.median_ms);
    println!(
        "| {MANY} services launched at once, all ACTIVE | {:.1} s | |",
        many_time.as_secs_f64()
    );
    println!("| NFVO resident memory with {MANY} services | {nfvo_rss:.1} MiB | |");
    println!("| popd resident memory with {MANY} services | {popd_rss:.1} MiB | |\n");
    Ok(())
}

/// Registers `popd` as site `name`, with no agent.
pub(crate) async fn add_site(client: &NfvoClient, name: &str, popd: &PopdProcess) -> Result<()> {
    let (username, password) = popd.auth.split_once(':').context("popd auth")?;
    let site = SiteRequest {
        name: name.into(),
        pop_endpoint: popd.endpoint.clone(),
        username: username.into(),
        password: password.into(),
        agent_endpoint: None,
        agent_token: None,
    };
    client.add_site(&site).await?;
    Ok(())
}

/// Creates a network service of the NSD and instantiates it; returns its id once ACTIVE.
async fn launch(client: &NfvoClient, nsd_id: &str) -> Result<String> {
    launch_placed(client, nsd_id, InstantiateNsRequest::default()).await
}

/// [`launch`] with the VNFs placed as `placement` says.
pub(crate) async fn launch_placed(
    client: &NfvoClient,
    nsd_id: &str,
    placement: InstantiateNsRequest,
) -> Result<String> {
    let create = CreateNsRequest {
        nsd_id: nsd_id.into(),
        ns_name: Some(unique("sipp")),
        ns_description: None,
    };
    let ns = client.create_ns(&create).await?.id;
    let op = client.instantiate(&ns, &placement).await?;
    wait_op(client, &op.id).await?;
    let status = client.ns_instance(&ns).await?.status;
    if status != "ACTIVE" {
        bail!("network service {ns} is {status} after its instantiation");
    }
    Ok(ns)
}

/// Terminates then deletes a network service.
pub(crate) async fn teardown(client: &NfvoClient, ns: &str) -> Result<()> {
    let op = client.terminate(ns).await?;
    wait_op(client, &op.id).await?;
    client.delete_ns(ns).await?;
    Ok(())
}

/// Polls an operation every 20 ms (the client's own wait polls every 200 ms) until COMPLETED.
async fn wait_op(client: &NfvoClient, id: &str) -> Result<()> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let op = client.op_occ(id).await?;
        match op.operation_state.as_str() {
            "COMPLETED" => return Ok(()),
            "PROCESSING" if Instant::now() < deadline => tokio::time::sleep(POLL).await,
            state => bail!("operation {id} ({}) is {state}: {op:?}", op.lcm_operation_type),
        }
    }
}

/// `archipel nfvo` with a subnet prefix of its own (testkit's NfvoProcess hands out /24s, too
/// few in a leased /22 for 20 services), and an admin. Dropping it kills the process.
pub(crate) struct Nfvod {
    child: Child,
    pub(crate) endpoint: String,
    data_dir: TempDir,
    password: String,
}

/// The admin of the benchmarks' NFVO.
const ADMIN: &str = "bench";

impl Nfvod {
    pub(crate) fn start(bin: &str, pool: &str, prefix: u8) -> Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let log = std::fs::File::create(data_dir.path().join("nfvo.log"))?;
        let password = unique("bench-admin");
        let mut child = Command::new(bin)
            .env("NFVO_ADMIN", format!("{ADMIN}:{password}"))
            .args(["nfvo", "--listen", "127.0.0.1:0", "--subnet-pool", pool])
            .args(["--subnet-prefix", &prefix.to_string(), "--insecure"])
            .arg("--data-dir")
            .arg(data_dir.path())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("start archipel nfvo")?;
        let stdout = child.stdout.take().context("nfvo stdout")?;
        let mut nfvo = Self { child, endpoint: String::new(), data_dir, password };
        // The reader keeps draining stdout: a closed pipe would fail the daemon's later prints.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = archipel_daemon::ready::parse(&line) {
                    let _ = tx.send(addr.to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => nfvo.endpoint = format!("http://{addr}"),
            Err(_) => bail!("archipel nfvo did not listen within 60 s: {}", nfvo.log()),
        }
        Ok(nfvo)
    }

    /// A client logged in as the admin.
    pub(crate) async fn client(&self) -> Result<NfvoClient> {
        let client = NfvoClient::new(&self.endpoint)?;
        let token = client.login(ADMIN, &self.password).await.context("log in")?.token;
        Ok(client.with_token(token))
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("nfvo.log")).unwrap_or_default()
    }
}

impl Drop for Nfvod {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
