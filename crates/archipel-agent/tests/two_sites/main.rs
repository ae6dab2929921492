//! Two sites in network namespaces joined by a veth underlay, a real agent serving HTTP on
//! loopback for each, and a VIM that makes bridges with the real kernel: the agents stretch a
//! network over a VXLAN and two "containers" ping each other across it. Needs root and FAILS
//! without it.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

mod lab;
mod problems;

use std::net::Ipv4Addr;
use std::time::Duration;

use archipel_agent::{
    CreateRequest, FreeReply, NorthClient, ResourceRef, ServiceType, SiteInfo, UpdateRequest,
    VniReservation, KEY_HEADER, SITE_HEADER,
};
use archipel_netlink::Netlink;
use ipnet::Ipv4Net;

use lab::{pings, Lab, KEY, TOKEN};

const NET: &[(usize, &str, &str)] = &[(0, "net", "10.60.0.0/24")];

fn request(kind: ServiceType, resources: &[(&str, &str)]) -> CreateRequest {
    CreateRequest {
        kind,
        name: "stretched".into(),
        resources: resources
            .iter()
            .map(|(site, network)| ResourceRef { site: (*site).into(), network: (*network).into() })
            .collect(),
    }
}

/// The agent's `/metrics`, read with the North token, parsed strictly.
async fn scrape(url: &str) -> std::collections::BTreeMap<String, f64> {
    let response = reqwest::Client::new()
        .get(format!("{url}/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    archipel_testkit::parse_metrics(&response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn containers_of_two_sites_ping_across_the_extension_the_agents_built() {
    let lab = Lab::start(NET).await;
    let north = NorthClient::new(&lab.urls[0], TOKEN, Duration::from_secs(30));
    let service =
        north.create(&request(ServiceType::L2, &[("a", "net"), ("b", "net")])).await.unwrap();
    let vni = service.params.vni.unwrap();
    let device = format!("vx{vni}");

    for i in 0..2 {
        let ns = lab.site_ns(i);
        let vx = lab.nl.link(ns, &device).await.unwrap().expect("the vxlan device");
        assert_eq!(vx.master.as_deref(), Some("br-net"));
        assert_eq!(vx.mtu, 1450);
        assert_eq!(lab.nl.link(ns, "br-net").await.unwrap().unwrap().mtu, 1450);
    }
    let a_first = service.params.pools["a"][0].first;
    let b_first = service.params.pools["b"][0].first;
    let gateway = service.params.gateway.unwrap();
    lab.container(0, "br-net", Ipv4Net::new(a_first, 24).unwrap(), gateway).await;
    lab.container(1, "br-net", Ipv4Net::new(b_first, 24).unwrap(), gateway).await;
    assert!(pings(lab.container_ns(0), &b_first.to_string()));
    assert!(pings(lab.container_ns(1), &a_first.to_string()));
    // Both bridges hold the gateway, each with its own MAC: only the local one answers.
    for i in 0..2 {
        let bridge = lab.nl.link_mac(lab.site_ns(i), "br-net").await.unwrap().unwrap();
        let answered = lab::arp_replies(lab.container_ns(i), &gateway.to_string());
        assert_eq!(answered, [bridge.to_string()].into(), "site {i}");
    }

    let metrics = scrape(&lab.urls[0]).await;
    assert_eq!(metrics.get("archipel_agent_services{type=\"l2\"}"), Some(&1.0), "{metrics:?}");
    let sent = format!(
        "archipel_agent_tunnel_packets_total{{service=\"{}\",type=\"l2\",device=\"{device}\",direction=\"tx\"}}",
        service.global_id
    );
    assert!(metrics.get(&sent).is_some_and(|n| *n > 0.0), "{sent} in {metrics:?}");
    let bytes = sent.replace("_packets_", "_bytes_");
    assert!(metrics.get(&bytes).is_some_and(|n| *n > 0.0), "{bytes} in {metrics:?}");
    let anonymous = reqwest::get(format!("{}/metrics", lab.urls[0])).await.unwrap();
    assert_eq!(anonymous.status(), 401);

    let info = north.site_info().await.unwrap();
    let underlay = Ipv4Addr::new(192, 0, 2, 1);
    assert_eq!(info, SiteInfo { site: "a".into(), underlay, tunnel_mtu: 1450 });
    let remote = NorthClient::new(&lab.urls[1], TOKEN, Duration::from_secs(30));
    assert_eq!(remote.get(&service.global_id).await.unwrap().master, "a");
    let block = remote.grow(&service.global_id).await.unwrap();
    assert_eq!(block, service.params.reserve[0]);
    let master = north.get(&service.global_id).await.unwrap();
    assert_eq!(master.params.reserve.len(), service.params.reserve.len() - 1);
    let rename = UpdateRequest { name: Some("renamed".into()), resources: None };
    assert!(north.update(&service.global_id, &rename).await.unwrap().pending.is_empty());
    assert_eq!(remote.get(&service.global_id).await.unwrap().name, "renamed");

    north.delete(&service.global_id).await.unwrap();
    for i in 0..2 {
        assert!(!lab.nl.link_exists(lab.site_ns(i), &device).await.unwrap());
    }
    assert!(!lab.nl.link_exists(lab.site_ns(1), "br-net").await.unwrap());
    assert!(north.list().await.unwrap().is_empty());
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn a_create_that_needs_an_unreachable_site_leaves_nothing() {
    let lab = Lab::start(NET).await;
    let north = NorthClient::new(&lab.urls[0], TOKEN, Duration::from_secs(30));
    let err = north
        .create(&request(ServiceType::L2, &[("a", "net"), ("b", "net"), ("c", "net")]))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("site c is unreachable"), "{err}");
    for i in 0..2 {
        let links = lab.nl.list_links(lab.site_ns(i)).await.unwrap();
        assert!(!links.iter().any(|l| l.name.starts_with("vx")), "{links:?}");
    }
    assert!(!lab.nl.link_exists(lab.site_ns(1), "br-net").await.unwrap());
    assert!(north.list().await.unwrap().is_empty());
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn both_interfaces_refuse_calls_without_their_secret() {
    let lab = Lab::start(NET).await;
    let http = reqwest::Client::new();
    let vni_free = format!("{}/intersite-horizontal/vni-free?vni=7", lab.urls[0]);
    assert_eq!(http.get(&vni_free).send().await.unwrap().status(), 401);
    let as_b = |key: &str| http.get(&vni_free).header(SITE_HEADER, "b").header(KEY_HEADER, key);
    assert_eq!(as_b("nope").send().await.unwrap().status(), 401);
    let unnamed = http.get(&vni_free).header(KEY_HEADER, KEY).send().await.unwrap();
    assert_eq!(unnamed.status(), 401);
    let stranger = http.get(&vni_free).header(SITE_HEADER, "x").header(KEY_HEADER, KEY);
    assert_eq!(stranger.send().await.unwrap().status(), 401);
    assert_eq!(as_b(KEY).send().await.unwrap().status(), 200);
    for north in ["intersite-vertical", "intersite-site"] {
        let url = format!("{}/{north}", lab.urls[0]);
        assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
        assert_eq!(http.get(&url).bearer_auth(TOKEN).send().await.unwrap().status(), 200);
    }
    let reserve = format!("{}/intersite-horizontal/vni-reservations", lab.urls[0]);
    let body = VniReservation { vni: 7, global_id: "b-1".into() };
    assert_eq!(http.post(&reserve).json(&body).send().await.unwrap().status(), 401);
    let as_b = http.post(&reserve).header(SITE_HEADER, "b").header(KEY_HEADER, KEY);
    let of_c = VniReservation { vni: 7, global_id: "c-1".into() };
    assert_eq!(as_b.json(&of_c).send().await.unwrap().status(), 403, "b reserves for c");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn a_vni_reserved_over_http_is_taken_for_others_until_released() {
    let lab = Lab::start(NET).await;
    let http = reqwest::Client::new();
    let base = format!("{}/intersite-horizontal", lab.urls[0]);
    let reserve = |global_id: &str| {
        let body = VniReservation { vni: 7, global_id: global_id.into() };
        let caller = global_id.split('-').next().unwrap_or_default();
        let req = http
            .post(format!("{base}/vni-reservations"))
            .header(SITE_HEADER, caller)
            .header(KEY_HEADER, KEY);
        async move {
            let resp = req.json(&body).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            resp.json::<FreeReply>().await.unwrap()
        }
    };
    assert!(reserve("b-1").await.free);
    let taken = reserve("c-1").await;
    assert!(!taken.free);
    assert_eq!(taken.conflict.as_deref(), Some("a reservation of service b-1"));
    let vni_free =
        http.get(format!("{base}/vni-free?vni=7")).header(SITE_HEADER, "b").header(KEY_HEADER, KEY);
    assert!(!vni_free.send().await.unwrap().json::<FreeReply>().await.unwrap().free);
    let release = http
        .delete(format!("{base}/vni-reservations/7?global_id=b-1"))
        .header(SITE_HEADER, "b")
        .header(KEY_HEADER, KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(release.status(), 204);
    assert!(reserve("c-1").await.free);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn containers_of_two_subnets_ping_through_the_transit_the_agents_built() {
    let lab = Lab::start(&[(0, "one", "10.61.0.0/24"), (1, "two", "10.62.0.0/24")]).await;
    let north = NorthClient::new(&lab.urls[0], TOKEN, Duration::from_secs(30));
    let req = request(ServiceType::L3, &[("a", "one"), ("b", "two")]);
    let service = north.create(&req).await.unwrap();
    let device = format!("vt{}", service.params.vni.unwrap());

    let gateways = ["10.61.0.1", "10.62.0.1"].map(|g| g.parse().unwrap());
    lab.container(0, "br-one", "10.61.0.10/24".parse().unwrap(), gateways[0]).await;
    lab.container(1, "br-two", "10.62.0.10/24".parse().unwrap(), gateways[1]).await;
    assert!(pings(lab.container_ns(0), "10.62.0.10"));
    assert!(pings(lab.container_ns(1), "10.61.0.10"));

    north.delete(&service.global_id).await.unwrap();
    for i in 0..2 {
        assert!(!lab.nl.link_exists(lab.site_ns(i), &device).await.unwrap());
        let routes = lab.nl.list_routes(lab.site_ns(i)).await.unwrap();
        assert!(routes.iter().all(|r| r.dest.prefix_len() != 24 || r.via.is_none()), "{routes:?}");
    }
    assert!(!pings(lab.container_ns(0), "10.62.0.10"));
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn overlapping_subnets_are_refused_over_http_naming_both() {
    let lab = Lab::start(&[(0, "one", "10.61.0.0/16"), (1, "two", "10.61.7.0/24")]).await;
    let north = NorthClient::new(&lab.urls[0], TOKEN, Duration::from_secs(30));
    let req = request(ServiceType::L3, &[("a", "one"), ("b", "two")]);
    let err = north.create(&req).await.unwrap_err().to_string();
    assert_eq!(
        err,
        "network one of site a (10.61.0.0/16) overlaps network two of site b (10.61.7.0/24) \
         (HTTP 409)"
    );
    lab.stop().await;
}
