//! What TLS costs: Pop Create+Start against a native popd serving TLS and one serving plain
//! text, in the same run, interleaved, each over an established channel (as the NFVO and the
//! agents keep theirs). Goal: under 5 % (issue 10). A short run by default; `--full` for a
//! long one.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use archipel_daemon::pki::{self, Names};
use archipel_testkit::{require_root, PopdRuntime};
use tonic::transport::{Certificate, ClientTlsConfig};

use crate::popd::Popd;
use crate::stats::summarize;

const RUNS: usize = 20;
const FULL_RUNS: usize = 200;

pub async fn run(bin: &str, full: bool) -> Result<()> {
    require_root();
    let runs = if full { FULL_RUNS } else { RUNS };
    let dir = tempfile::tempdir()?;
    let pki_dir = dir.path().join("pki");
    let ca = pki::init(&pki_dir)?;
    let names = Names { dns: vec!["localhost".into()], ips: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)] };
    let (cert, key) = pki::issue(&pki_dir, "popd", &names)?;
    let tls_flags = [
        "--tls-cert",
        cert.to_str().context("a UTF-8 certificate path")?,
        "--tls-key",
        key.to_str().context("a UTF-8 key path")?,
    ];
    let client_tls =
        ClientTlsConfig::new().ca_certificate(Certificate::from_pem(std::fs::read(&ca)?));
    let tls = Popd::start_with(bin, PopdRuntime::Native, &tls_flags, Some(client_tls)).await?;
    let plain = Popd::start(bin, PopdRuntime::Native).await?;

    let (mut tls_lat, mut plain_lat) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let mut turns = [(&tls, &mut tls_lat), (&plain, &mut plain_lat)];
        if i % 2 == 1 {
            turns.reverse();
        }
        for (popd, lat) in turns {
            let name = format!("{}-t{i}", popd.process.name);
            let t = Instant::now();
            popd.create_start(&name, &format!("{}10", popd.prefix)).await?;
            lat.push(t.elapsed());
            popd.delete(&name).await?;
            // The runtime finishes tearing down in the background; neither pays for the other.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let (t, p) = (summarize(&tls_lat), summarize(&plain_lat));
    let overhead = (t.median_ms / p.median_ms - 1.0) * 100.0;
    let kind = if full { "full run" } else { "short run; --full for a long one" };
    println!("## TLS against plain text (Pop Create+Start, native runtime, {kind})\n");
    println!("| measure | TLS | plain text, same run |");
    println!("| --- | --- | --- |");
    println!("| Create+Start, median of {} | {t} | {p} |", t.n);
    println!("| TLS overhead (medians) | {overhead:+.1} % (goal < 5 %) | |\n");
    Ok(())
}
