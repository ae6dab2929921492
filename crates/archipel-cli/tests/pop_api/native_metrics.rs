//! popd's `/metrics` on `--metrics-listen`: it parses as the Prometheus text format, and its
//! series move with the calls the test makes.

use std::collections::BTreeMap;

use archipel_proto::v1 as pb;
use archipel_testkit::{parse_metrics, PopdRuntime};

use crate::harness::{authed, by_name, config, Site, IMAGE};

async fn scrape(site: &Site) -> BTreeMap<String, f64> {
    let file = site.popd.data_dir.path().join(archipel_pop::server::METRICS_ADDR_FILE);
    let addr = std::fs::read_to_string(&file).expect("popd wrote its metrics address");
    let response =
        reqwest::get(format!("http://{}/metrics", addr.trim())).await.expect("scrape popd");
    assert_eq!(response.status(), 200);
    parse_metrics(&response.text().await.expect("the metrics"))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn the_series_parse_and_move_with_calls_containers_and_refused_logins() {
    let site = Site::new(PopdRuntime::Native, &["--metrics-listen", "127.0.0.1:0"]);
    let before = scrape(&site).await;
    let running = "archipel_pop_containers{state=\"RUNNING\"}";
    assert_eq!(before.get(running), Some(&0.0), "{before:?}");

    let (mut c, token) = site.login().await;
    let name = site.name("metrics");
    c.create(authed(&token, config(&name, IMAGE, &[]))).await.expect("create");
    c.start(authed(&token, by_name(&name))).await.expect("start");
    let wrong = pb::Credentials { username: "admin".into(), password: "wrong".into() };
    c.login(wrong).await.expect_err("a wrong password");

    let after = scrape(&site).await;
    assert_eq!(after.get(running), Some(&1.0), "{after:?}");
    for method in ["Create", "Start", "Login"] {
        let count = format!("archipel_pop_rpc_seconds_count{{method=\"{method}\"}}");
        assert!(after.get(&count).is_some_and(|n| *n >= 1.0), "{count} in {after:?}");
    }
    let failed = "archipel_logins_failed_total";
    assert_eq!(after[failed], before[failed] + 1.0, "{after:?}");
}
