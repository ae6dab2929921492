//! Two masters making L2 extensions over one shared site at the same moment never get the same
//! VNI: each reserves its candidate at every participant before it uses it.

use archipel_agent::{CreateRequest, NorthClient, ResourceRef, ServiceType, NORTH_TIMEOUT};
use archipel_daemon::tls::ClientTls;
use serde_json::json;

use crate::harness::Lab;

const ROUNDS: usize = 50;

/// An extension of `master`'s `network` to site c.
fn request(master: &str, network: &str) -> CreateRequest {
    let resources = [master, "c"]
        .iter()
        .map(|site| ResourceRef { site: (*site).into(), network: network.into() })
        .collect();
    CreateRequest { kind: ServiceType::L2, name: format!("race-{master}"), resources }
}

#[test]
#[ignore = "needs root"]
fn two_masters_over_a_shared_site_at_once_never_share_a_vni() {
    let lab = Lab::up(3);
    lab.network("a", "na", &lab.subnet.slash24(8));
    lab.network("b", "nb", &lab.subnet.slash24(9));
    let north = |site: &str| {
        let s = lab.ctx.site(site).unwrap();
        let tls = lab.ctx.ca.as_ref().map(|ca| ClientTls::load(ca, None).unwrap().config);
        NorthClient::with_tls(&s.agent_url, &s.agent_token, NORTH_TIMEOUT, tls)
    };
    let (a, b) = (north("a"), north("b"));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let (from_a, from_b) = (request("a", "na"), request("b", "nb"));
        for round in 0..ROUNDS {
            let (x, y) = tokio::join!(a.create(&from_a), b.create(&from_b));
            let x = x.unwrap_or_else(|e| panic!("round {round}: a's create failed: {e}"));
            let y = y.unwrap_or_else(|e| panic!("round {round}: b's create failed: {e}"));
            assert_ne!(x.params.vni, y.params.vni, "round {round}: both got one VNI");
            let (dx, dy) = tokio::join!(a.delete(&x.global_id), b.delete(&y.global_id));
            assert_eq!(dx.unwrap(), Vec::<String>::new(), "round {round}");
            assert_eq!(dy.unwrap(), Vec::<String>::new(), "round {round}");
        }
    });
    for site in ["a", "b", "c"] {
        assert_eq!(lab.json(site, &["intersite", "ls"]), json!([]), "left at {site}");
        let links = lab.links(site);
        assert!(!links.iter().any(|l| l.starts_with("vx")), "left at {site}: {links:?}");
    }
    let networks = lab.json("c", &["pop", "networks"]);
    assert!(!networks.as_array().unwrap().iter().any(|n| n["name"] == "na" || n["name"] == "nb"));
    lab.down();
}
