//! The cost of the NFVO's authentication (issue 10): a cheap GET (the empty list of network
//! services) with a login token and with an API key, against the unauthenticated health check,
//! interleaved in the same run on one kept-alive connection; and a login (argon2id) itself.

use std::time::Instant;

use anyhow::{Context, Result};
use archipel_nfvo::api::dto::{ApiKeyRequest, RoleName};
use archipel_nfvo::client::NfvoClient;

use crate::nfvo::Nfvod;
use crate::stats::{summarize, Summary};

pub async fn run(bin: &str) -> Result<()> {
    let runs: usize = match std::env::var("ARCHIPEL_BENCH_AUTH_RUNS") {
        Ok(v) => v.parse().context("ARCHIPEL_BENCH_AUTH_RUNS: a number")?,
        Err(_) => 500,
    };
    // No site: the subnet pool is never used.
    let nfvo = Nfvod::start(bin, "10.200.0.0/22", 27)?;
    let with_token = nfvo.client().await?;
    let request =
        ApiKeyRequest { name: "bench".into(), username: None, role: Some(RoleName::Reader) };
    let key = with_token.create_api_key(&request).await?.key;
    let with_key = NfvoClient::new(&nfvo.endpoint)?.with_token(key);
    let anonymous = NfvoClient::new(&nfvo.endpoint)?;

    let (mut health, mut token, mut api_key) = (Vec::new(), Vec::new(), Vec::new());
    // One untimed round first: connections open and code paths warm.
    for i in 0..=runs {
        let t = Instant::now();
        anonymous.health().await?;
        let h = t.elapsed();
        let t = Instant::now();
        with_token.ns_instances().await?;
        let a = t.elapsed();
        let t = Instant::now();
        with_key.ns_instances().await?;
        let k = t.elapsed();
        if i > 0 {
            health.push(h);
            token.push(a);
            api_key.push(k);
        }
    }
    let logins = (runs / 25).max(4);
    let mut login = Vec::with_capacity(logins);
    for _ in 0..logins {
        let t = Instant::now();
        nfvo.client().await?;
        // Each succeeds, so the login throttle never delays the next.
        login.push(t.elapsed());
    }

    let (h, a, k, l) =
        (summarize(&health), summarize(&token), summarize(&api_key), summarize(&login));
    println!("## NFVO: the cost of authentication\n");
    println!("| measure | time | against /health |");
    println!("| --- | --- | --- |");
    println!("| GET /health, no credentials, median of {} | {} | |", h.n, micros(h));
    for (what, s) in [("a login token", a), ("an API key", k)] {
        println!(
            "| GET /nslcm/v1/ns_instances with {what}, median of {} | {} | +{:.0} µs |",
            s.n,
            micros(s),
            (s.median_ms - h.median_ms) * 1e3
        );
    }
    println!("| POST /auth/v1/login (argon2id), median of {} | {l} | |\n", l.n);
    Ok(())
}

/// A summary of sub-millisecond requests, in microseconds.
fn micros(s: Summary) -> String {
    format!("{:.0} µs (mean {:.0} ± {:.0})", s.median_ms * 1e3, s.mean_ms * 1e3, s.stderr_ms * 1e3)
}
