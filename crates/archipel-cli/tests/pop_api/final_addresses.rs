//! A container that ended (EXITED or FAILED) has returned its addresses to the pool: it lists its
//! networks without them, even once another container holds the same address.

use archipel_proto::v1 as pb;
use archipel_testkit::PopdRuntime;
use pb::container::Status;

use crate::harness::{address, authed, by_name, config, metadata, Site, IMAGE};

crate::on_both_runtimes!(an_ended_container_lists_no_address);

async fn an_ended_container_lists_no_address(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let net = site.popd.default_network.clone();
    let (mut c, token) = site.login().await;
    let (done, broken, next) = (site.name("done"), site.name("broken"), site.name("next"));

    let mut freed = Vec::new();
    for (name, cmd) in [(&done, "exit 0"), (&broken, "exit 4")] {
        let created =
            c.create(authed(&token, config(name, IMAGE, &[]))).await.expect("create").into_inner();
        freed.push(address(&created, &net));
        let md = metadata(&[("CMD", cmd)]);
        c.metadata(authed(&token, pb::NewMetadata { filter: Some(by_name(name)), md }))
            .await
            .expect("metadata");
        c.start(authed(&token, by_name(name))).await.expect("start");
    }
    site.wait_status(&token, &done, Status::Exited).await;
    site.wait_status(&token, &broken, Status::Failed).await;

    // Another container takes the first freed address.
    let taken = c
        .create(authed(&token, config(&next, IMAGE, &[(&net, &freed[0])])))
        .await
        .expect("create on a freed address")
        .into_inner();
    assert_eq!(address(&taken, &net), freed[0]);

    for name in [&done, &broken] {
        let listed = site.container(&token, name).await.expect("listed");
        let ep = listed.endpoints.get(&net).unwrap_or_else(|| panic!("{name} lost {net}"));
        assert_eq!(ep.ipv4, None, "{name} ended yet lists an address: {listed:?}");
    }
    let view = site.cli_json(&["servers"]);
    let holders: Vec<_> = view
        .as_array()
        .expect("a list")
        .iter()
        .filter(|v| v["ips"][&net].as_array().is_some_and(|a| a.contains(&freed[0].clone().into())))
        .map(|v| v["name"].clone())
        .collect();
    assert_eq!(holders, vec![serde_json::Value::from(next.clone())], "{view}");
    site.cli_json(&["rm", &done, &broken, &next]);
}
