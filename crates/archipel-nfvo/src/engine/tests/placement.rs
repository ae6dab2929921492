use std::collections::BTreeMap;

use super::{Setup, SIPP};
use crate::catalogue::parse_nsd;
use crate::engine::placement::place;
use crate::NfvoError;

const PINNED: &str = r#"{"name": "p", "vendor": "v", "version": "1", "vld": [{"name": "net"}],
  "vnfd": [{"name": "x", "type": "x", "endpoint": "docker",
            "vdu": [{"vm_image": ["i"], "scale_in_out": 1, "vimInstanceName": ["far", "b"],
                     "vnfc": [{"connection_point": [{"virtual_link_reference": "net"}]}]}],
            "virtual_link": [{"name": "net"}], "deployment_flavour": [{"flavour_key": "k"}]}]}"#;

fn request(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[tokio::test]
async fn request_then_vim_instance_name_then_the_only_site() {
    let one = Setup::new(&["a"]).await;
    let sites = one.nfvo.store().sites().unwrap();
    let sipp = parse_nsd(SIPP).unwrap();
    let placed = place(&sipp, &request(&[]), &sites).unwrap();
    assert_eq!(placed, request(&[("sipp-client", "a"), ("sipp-server", "a")]));

    let two = Setup::new(&["a", "b"]).await;
    let sites = two.nfvo.store().sites().unwrap();
    let err = place(&sipp, &request(&[("sipp-client", "b")]), &sites).unwrap_err();
    assert!(matches!(&err, NfvoError::Placement { vnf, .. } if vnf == "sipp-server"), "{err}");
    let placed =
        place(&sipp, &request(&[("sipp-client", "b"), ("sipp-server", "a")]), &sites).unwrap();
    assert_eq!(placed["sipp-client"], "b");

    let pinned = parse_nsd(PINNED.as_bytes()).unwrap();
    assert_eq!(place(&pinned, &request(&[]), &sites).unwrap()["x"], "b");
    assert_eq!(place(&pinned, &request(&[("x", "a")]), &sites).unwrap()["x"], "a");
    let only_a = one.nfvo.store().sites().unwrap();
    let err = place(&pinned, &request(&[]), &only_a).unwrap_err();
    assert!(err.to_string().contains("far, b, none of them registered"), "{err}");
}

#[tokio::test]
async fn placements_must_name_known_vnfs_and_sites() {
    let setup = Setup::new(&["a"]).await;
    let sites = setup.nfvo.store().sites().unwrap();
    let sipp = parse_nsd(SIPP).unwrap();
    let err = place(&sipp, &request(&[("nope", "a")]), &sites).unwrap_err();
    assert!(matches!(err, NfvoError::InvalidRequest { .. }), "{err}");
    let err = place(&sipp, &request(&[("sipp-client", "z")]), &sites).unwrap_err();
    assert!(err.to_string().contains("site z, which is not registered"), "{err}");
    let err = place(&sipp, &request(&[]), &[]).unwrap_err();
    assert!(err.to_string().contains("no site is registered"), "{err}");
}
