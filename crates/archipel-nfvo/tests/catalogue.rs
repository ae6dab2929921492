//! Onboarding the thesis's SIPp NSD and the other descriptors the catalogue must accept.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use archipel_nfvo::catalogue::{metadata_key, parse_nsd, Nsd, ParameterKind, VnfDependency};
use serde_json::{json, Value};

const SIPP_NSD: &[u8] = include_bytes!("../../../examples/sipp/nsd.json");

fn parse(document: &Value) -> Nsd {
    parse_nsd(&serde_json::to_vec(document).unwrap()).unwrap()
}

/// A small valid NSD, shaped like the SIPp one.
fn minimal() -> Value {
    json!({
        "name": "ns", "vendor": "archipel", "version": "1",
        "vld": [{"name": "private"}, {"name": "public"}],
        "vnfd": [
            {
                "name": "db", "type": "database", "endpoint": "docker",
                "vdu": [{
                    "vm_image": ["db:1"], "scale_in_out": 1,
                    "vnfc": [{"connection_point": [{"virtual_link_reference": "private"}]}]
                }],
                "configurations": {"configurationParameters": [{"confKey": "PORT", "value": "5432"}]},
                "virtual_link": [{"name": "private"}],
                "deployment_flavour": [{"flavour_key": "docker.container"}]
            },
            {
                "name": "web", "type": "web", "endpoint": "docker",
                "vdu": [{
                    "vm_image": ["web:1"], "scale_in_out": 3,
                    "vnfc": [{"connection_point": [
                        {"virtual_link_reference": "private"},
                        {"virtual_link_reference": "public"}
                    ]}]
                }],
                "virtual_link": [{"name": "private"}, {"name": "public"}],
                "deployment_flavour": [{"flavour_key": "docker.container"}]
            }
        ],
        "vnf_dependency": [{"source": "db", "target": "web", "parameters": ["private", "hostname", "PORT"]}]
    })
}

#[test]
fn appendix_c_nsd_onboards_unchanged() {
    let nsd = parse_nsd(SIPP_NSD).unwrap();
    assert_eq!(nsd.name(), "docker-test-NS-sipp");
    assert_eq!(nsd.vendor(), "mcilloni");
    assert_eq!(nsd.version(), "1.0");
    let vld: Vec<_> = nsd.vld().iter().map(|link| link.name.as_str()).collect();
    assert_eq!(vld, ["private"]);

    let [client, server] = nsd.vnfd() else {
        panic!("two VNFDs expected, got {:?}", nsd.vnfd());
    };
    assert_eq!(
        (client.name.as_str(), client.vnf_type.as_str(), client.endpoint.as_str()),
        ("sipp-client", "client", "docker")
    );
    assert_eq!(
        (server.name.as_str(), server.vnf_type.as_str(), server.endpoint.as_str()),
        ("sipp-server", "server", "docker")
    );
    assert_eq!(client.vdu.len(), 1);
    assert_eq!(client.vdu[0].vm_image, ["mcilloni/sipp-client:latest"]);
    assert_eq!(client.vdu[0].scale_in_out, 5);
    assert_eq!(client.vdu[0].vnfc.len(), 1);
    assert!(client.vdu[0].vim_instance_name.is_empty());
    assert_eq!(server.vdu[0].vm_image, ["mcilloni/sipp-server:latest"]);
    assert_eq!(server.vdu[0].scale_in_out, 1);
    for vnfd in [client, server] {
        assert_eq!(vnfd.attached_links().collect::<Vec<_>>(), ["private"]);
        assert_eq!(vnfd.virtual_link[0].name, "private");
        assert_eq!(vnfd.deployment_flavour[0].flavour_key, "docker.container");
    }

    let configuration: Vec<_> =
        client.configurations.iter().map(|p| (p.conf_key.as_str(), p.value.as_str())).collect();
    assert_eq!(
        configuration,
        [
            ("SIPP_LENGTH", "0"),
            ("SIPP_RATE", "10"),
            ("SIPP_RATE_PERIOD", "1000"),
            ("SIPP_RATE_MAX", "10"),
            ("SIPP_RATE_INCREASE", "0"),
            ("SIPP_RTP_ECHO", "10"),
            ("SIPP_TRANSPORT_MODE", "u1"),
        ]
    );
    assert!(server.configurations.is_empty());

    assert_eq!(
        nsd.vnf_dependency(),
        [VnfDependency {
            source: "sipp-server".to_owned(),
            target: "sipp-client".to_owned(),
            parameters: vec!["private".to_owned()],
            declared_at: "vnf_dependency[0]".to_owned(),
        }]
    );
    assert_eq!(server.parameter_kind("private"), Some(ParameterKind::VirtualLink));
    assert_eq!(metadata_key(&server.vnf_type, "private"), "SERVER_PRIVATE");
    assert_eq!(nsd.dependencies_of("sipp-client").count(), 1);
    assert_eq!(nsd.dependencies_of("sipp-server").count(), 0);
    assert_eq!(nsd.vnfd_named("sipp-server"), Some(server));
}

#[test]
fn appendix_c_nsd_needs_the_trailing_comma_leniency() {
    let error = serde_json::from_slice::<Value>(SIPP_NSD).unwrap_err();
    assert_eq!(error.to_string(), "trailing comma at line 146 column 7");
}

#[test]
fn appendix_c_nsd_starts_server_first() {
    let nsd = parse_nsd(SIPP_NSD).unwrap();
    let order: Vec<_> = nsd.dependency_order().iter().map(|v| v.name.as_str()).collect();
    assert_eq!(order, ["sipp-server", "sipp-client"]);
}

#[test]
fn dependency_ends_may_be_objects_or_plain_names() {
    let plain = minimal();
    let mut objects = minimal();
    objects["vnf_dependency"][0]["source"] = json!({"name": "db"});
    objects["vnf_dependency"][0]["target"] = json!({"name": "web", "id": "f00"});
    assert_eq!(parse(&plain), parse(&objects));
}

#[test]
fn parameters_name_links_hostname_or_configuration_keys() {
    let nsd = parse(&minimal());
    let db = nsd.vnfd_named("db").unwrap();
    assert_eq!(db.parameter_kind("private"), Some(ParameterKind::VirtualLink));
    assert_eq!(db.parameter_kind("hostname"), Some(ParameterKind::Hostname));
    assert_eq!(db.parameter_kind("PORT"), Some(ParameterKind::Configuration));
    assert_eq!(db.parameter_kind("public"), None);
    let keys: Vec<_> = nsd.vnf_dependency()[0]
        .parameters
        .iter()
        .map(|parameter| metadata_key(&db.vnf_type, parameter))
        .collect();
    assert_eq!(keys, ["DATABASE_PRIVATE", "DATABASE_HOSTNAME", "DATABASE_PORT"]);
}

#[test]
fn known_open_baton_fields_are_accepted_and_ignored() {
    let mut document = minimal();
    let extra = |value: &mut Value, fields: Value| {
        value.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    };
    extra(
        &mut document,
        json!({"id": "1", "hb_version": 3, "enabled": true, "nfvo_version": "5.2.0",
               "vnffgd": [], "pnfd": [], "monitoring_parameter": ["cps"], "auto_scale_policy": [],
               "service_deployment_flavour": [], "connection_point": [], "projectId": "p"}),
    );
    extra(&mut document["vld"][0], json!({"id": "2", "cidr": "10.0.0.0/24", "qos": []}));
    extra(
        &mut document["vnfd"][0],
        json!({"vnfPackageLocation": "https://example.invalid/s.git", "cyclicDependency": false,
               "manifest_file_security": [], "provides": [], "requires": {}, "vdu_dependency": []}),
    );
    extra(
        &mut document["vnfd"][0]["vdu"][0],
        json!({"name": "db-vdu", "hostname": "db", "lifecycle_event": [], "vnfc_instance": [],
               "monitoring_parameter": [], "high_availability": null, "vdu_constraint": null}),
    );
    extra(&mut document["vnfd"][0]["vdu"][0]["vnfc"][0], json!({"id": "3", "version": 0}));
    extra(
        &mut document["vnfd"][0]["vdu"][0]["vnfc"][0]["connection_point"][0],
        json!({"floatingIp": "random", "interfaceId": 0, "type": "LAN"}),
    );
    extra(&mut document["vnfd"][0]["configurations"], json!({"name": "db-conf", "id": "4"}));
    extra(
        &mut document["vnfd"][0]["configurations"]["configurationParameters"][0],
        json!({"description": "the port"}),
    );
    extra(&mut document["vnfd"][0]["deployment_flavour"][0], json!({"ram": 512, "vcpus": 1}));
    extra(&mut document["vnf_dependency"][0], json!({"id": "5", "version": 0}));
    assert_eq!(parse(&document), parse(&minimal()));
}

#[test]
fn absent_optional_lists_are_empty() {
    let mut document = minimal();
    document.as_object_mut().unwrap().remove("vnf_dependency");
    document["vnfd"][1]["vdu"][0]["vimInstanceName"] = Value::Null;
    let nsd = parse(&document);
    assert!(nsd.vnf_dependency().is_empty());
    assert!(nsd.vnfd()[1].vdu[0].vim_instance_name.is_empty());
}

#[test]
fn vim_instance_names_are_kept() {
    let mut document = minimal();
    document["vnfd"][1]["vdu"][0]["vimInstanceName"] = json!(["site-a", "site-b"]);
    assert_eq!(parse(&document).vnfd()[1].vdu[0].vim_instance_name, ["site-a", "site-b"]);
}

#[test]
fn independent_vnfds_start_in_document_order() {
    let mut document = minimal();
    document["vnf_dependency"] = json!([]);
    let nsd = parse(&document);
    let order: Vec<_> = nsd.dependency_order().iter().map(|v| v.name.as_str()).collect();
    assert_eq!(order, ["db", "web"]);
}
