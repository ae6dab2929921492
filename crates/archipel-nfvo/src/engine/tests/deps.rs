use std::collections::BTreeMap;

use super::TIERS;
use crate::catalogue::parse_nsd;
use crate::engine::metadata_for;
use crate::model::{Nsr, Status, VnfcInstance, Vnfr};

fn vnfr(name: &str, vnfcs: Vec<VnfcInstance>) -> Vnfr {
    Vnfr {
        name: name.to_owned(),
        vnf_type: name.to_owned(),
        site: "a".to_owned(),
        status: Status::Active,
        scale_in_out: 3,
        metadata: BTreeMap::new(),
        configuration: BTreeMap::new(),
        next_index: 0,
        vnfcs,
        health: Default::default(),
        provider: String::new(),
        version: String::new(),
        package: None,
    }
}

fn vnfc(index: u32, name: &str, links: &[(&str, &str)]) -> VnfcInstance {
    VnfcInstance {
        index,
        vdu: 0,
        name: name.to_owned(),
        site: "a".to_owned(),
        pop_id: format!("id-{name}"),
        addresses: links.iter().map(|(l, a)| ((*l).to_owned(), (*a).to_owned())).collect(),
        metadata: BTreeMap::new(),
        pop_status: "CREATED".to_owned(),
        health: Default::default(),
        recreating: false,
    }
}

#[test]
fn lists_follow_the_index_order_whatever_the_record_order() {
    let nsd = parse_nsd(TIERS.as_bytes()).unwrap();
    let nsr = Nsr {
        id: "r".into(),
        name: "n".into(),
        description: String::new(),
        nsd_id: "d".into(),
        nsd_name: "tiers".into(),
        status: Status::Active,
        error: None,
        vnfrs: vec![vnfr(
            "db",
            vec![
                vnfc(7, "db-r-7", &[("back", "10.0.0.9")]),
                vnfc(2, "db-r-2", &[("back", "10.0.0.3")]),
            ],
        )],
        networks: Vec::new(),
        extensions: Vec::new(),
        created: 0,
        health: Default::default(),
        alarms: Vec::new(),
        auto_heal: false,
        auto_heals: 0,
    };
    let app = nsd.vnfd_named("app").unwrap();
    let md = metadata_for(&nsd, app, &nsr);
    let expected: BTreeMap<String, String> = [
        ("APP_MODE", "fast"),
        ("DB_BACK", "10.0.0.3"),
        ("DB_BACK_LIST", "10.0.0.3,10.0.0.9"),
        ("DB_HOSTNAME", "db-r-2"),
        ("DB_HOSTNAME_LIST", "db-r-2,db-r-7"),
        ("DB_PORT", "5432"),
        ("DB_PORT_LIST", "5432,5432"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(md, expected);
    // A source with no record yet gives nothing.
    let web = nsd.vnfd_named("web").unwrap();
    assert!(metadata_for(&nsd, web, &nsr).is_empty());
}
