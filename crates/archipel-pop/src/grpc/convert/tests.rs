use std::collections::HashMap;

use super::*;

fn endpoint(net_name: &str, address: &str) -> pb::Endpoint {
    pb::Endpoint {
        net_name: net_name.into(),
        ipv4: Some(pb::Ip { address: address.into(), subnet: None }),
        ..Default::default()
    }
}

#[test]
fn container_config_endpoints() {
    let cfg = pb::ContainerConfig {
        name: "c".into(),
        image_id: "alpine:latest".into(),
        flavour_id: String::new(),
        endpoints: HashMap::from([
            ("private".to_string(), endpoint("", "")),
            (String::new(), endpoint("mgmt", "10.0.0.9")),
        ]),
    };
    let cmd = create_container(cfg).unwrap();
    assert_eq!(
        cmd.endpoints,
        vec![
            EndpointRequest { network: "mgmt".into(), address: Some("10.0.0.9".parse().unwrap()) },
            EndpointRequest { network: "private".into(), address: None },
        ]
    );
    let bad = pb::ContainerConfig {
        endpoints: HashMap::from([("private".to_string(), endpoint("", "10.0.0"))]),
        ..Default::default()
    };
    assert!(
        matches!(create_container(bad), Err(e @ PopError::NotAnAddress { .. }) if e.to_string().contains("10.0.0"))
    );
}

#[test]
fn filters() {
    let f = |o| Some(pb::Filter { options: o });
    assert_eq!(filter(None), None);
    assert_eq!(filter(f(None)), None);
    assert_eq!(filter(f(Some(pb::filter::Options::Id(String::new())))), None);
    assert_eq!(
        filter(f(Some(pb::filter::Options::Name("x".into())))),
        Some(Selector::Name("x".into()))
    );
    assert!(matches!(target(f(None)), Err(PopError::FilterRequired { what: "container" })));
}

#[test]
fn network_config() {
    let cfg = pb::NetworkConfig {
        name: "n".into(),
        subnet: Some(pb::Subnet { cidr: "10.9.0.0/24".into(), gateway: String::new() }),
        pools: vec![pb::Pool { first: "10.9.0.10".into(), last: "10.9.0.20".into() }],
        mtu: 0,
    };
    let cmd = create_network(cfg.clone()).unwrap();
    assert_eq!(cmd.gateway, None);
    assert_eq!(cmd.mtu, None);
    assert_eq!(cmd.pools.len(), 1);
    let mut reversed = cfg.clone();
    reversed.pools[0] = pb::Pool { first: "10.9.0.20".into(), last: "10.9.0.10".into() };
    assert!(matches!(create_network(reversed), Err(PopError::InvalidAddressing { .. })));
    let mut no_subnet = cfg;
    no_subnet.subnet = None;
    assert!(
        matches!(create_network(no_subnet), Err(e @ PopError::NotAPrefix { .. }) if e.to_string().contains("prefix"))
    );
}

#[test]
fn deleted_change_is_unavailable() {
    let c = PopContainer {
        id: "i".into(),
        name: "n".into(),
        image: "alpine:latest".into(),
        flavour: "docker-flavour-id".into(),
        endpoints: Default::default(),
        metadata: Default::default(),
        created: 1,
        started: None,
        state: ContainerState::Exited,
        extended_status: "stopped".into(),
        exit_code: Some(0),
        runtime_id: None,
    };
    let ev =
        event(ContainerChange { container: c.clone(), deleted: false, at: 5 }, &HashMap::new());
    assert_eq!(ev.container.unwrap().status, PbStatus::Exited as i32);
    let ev = event(ContainerChange { container: c, deleted: true, at: 5 }, &HashMap::new());
    let pc = ev.container.unwrap();
    assert_eq!(pc.status, PbStatus::Unavailable as i32);
    assert_eq!(pc.names, vec!["n"]);
    assert_eq!(pc.exit_code, Some(0));
}
