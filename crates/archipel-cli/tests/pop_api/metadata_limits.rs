//! A container's metadata is bounded per entry (Linux's 128 KiB per environment string) and in
//! total, refused at Metadata naming the key and the limit; what fits starts, and many
//! containers at the limit still list.

use archipel_proto::v1 as pb;
use archipel_testkit::PopdRuntime;
use pb::container::Status;

use crate::harness::{authed, by_name, config, metadata, Site, IMAGE};

crate::on_both_runtimes!(metadata_is_bounded_and_what_fits_starts_and_lists);

async fn metadata_is_bounded_and_what_fits_starts_and_lists(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let (mut c, token) = site.login().await;
    let name = site.name("big");
    c.create(authed(&token, config(&name, IMAGE, &[]))).await.expect("create");
    let set = |md: &[(&str, &str)]| {
        authed(&token, pb::NewMetadata { filter: Some(by_name(&name)), md: metadata(md) })
    };

    let huge = "x".repeat(900_000);
    let err = c.metadata(set(&[("HUGE", &huge)])).await.expect_err("a 900 KB value");
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err:?}");
    assert!(err.message().contains("HUGE") && err.message().contains("131072"), "{err:?}");

    // Two entries just under the per-entry limit fit; a third goes over the total.
    let near = "y".repeat(130_000);
    c.metadata(set(&[("A", &near)])).await.expect("first large entry");
    c.metadata(set(&[("B", &near)])).await.expect("second large entry");
    let err = c.metadata(set(&[("C", &"z".repeat(10_000))])).await.expect_err("over the total");
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err:?}");
    assert!(err.message().contains("key C") && err.message().contains("262144"), "{err:?}");
    let md = site.cli_json(&["md", "get", &name]);
    assert_eq!(md.as_object().map(|m| m.len()), Some(2), "the refused key was kept");

    site.cli_json(&["start", &name]);
    site.wait_status(&token, &name, Status::Running).await;
    let listed = site.container(&token, &name).await.expect("listed");
    let addr = listed.endpoints.values().next().and_then(|e| e.ipv4.clone()).expect("address");
    let env = site.env(&name, &addr.address);
    assert_eq!(env.get("A").map(String::len), Some(130_000));

    // Twenty containers at the limit make a list larger than gRPC's default 4 MiB reply.
    let mut names = vec![name.clone()];
    for i in 0..19 {
        let other = site.name(&format!("full{i}"));
        c.create(authed(&token, config(&other, IMAGE, &[]))).await.expect("create");
        let md = metadata(&[("A", &near), ("B", &near)]);
        c.metadata(authed(&token, pb::NewMetadata { filter: Some(by_name(&other)), md }))
            .await
            .expect("metadata at the limit");
        names.push(other);
    }
    let listed = site.cli_json(&["servers"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(20));
    let mut rm = vec!["rm"];
    rm.extend(names.iter().map(String::as_str));
    site.cli_json(&rm);
}
