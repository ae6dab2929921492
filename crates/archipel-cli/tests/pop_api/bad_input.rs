//! Bad input gets a precise gRPC status and changes nothing.

use archipel_proto::v1 as pb;
use archipel_testkit::PopdRuntime;
use tonic::Code;

use crate::harness::{address, authed, by_id, by_name, config, metadata, Site, IMAGE};

crate::on_both_runtimes!(bad_input_gets_a_precise_status_and_changes_nothing);

async fn bad_input_gets_a_precise_status_and_changes_nothing(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let net = site.popd.default_network.clone();
    let (mut c, token) = site.login().await;

    // An image that does not exist: refused, and no address stays reserved.
    let missing = c
        .create(authed(&token, config(&site.name("ghost"), "archipel-test/nope:latest", &[])))
        .await
        .expect_err("missing image");
    assert!(matches!(missing.code(), Code::NotFound | Code::InvalidArgument), "{missing:?}");
    let first = c
        .create(authed(&token, config(&site.name("first"), IMAGE, &[])))
        .await
        .expect("create")
        .into_inner();
    let base = site.subnet.slash24(0);
    let lowest = base.replace(".0/24", ".2");
    assert_eq!(address(&first, &net), lowest, "the failed create kept an address");

    // Addresses outside the subnet or already taken.
    let outside = c
        .create(authed(&token, config(&site.name("out"), IMAGE, &[(&net, "192.0.2.10")])))
        .await
        .expect_err("outside");
    assert_eq!(outside.code(), Code::InvalidArgument, "{outside:?}");
    let taken = c
        .create(authed(&token, config(&site.name("dup"), IMAGE, &[(&net, &lowest)])))
        .await
        .expect_err("taken");
    assert_eq!(taken.code(), Code::AlreadyExists, "{taken:?}");

    // Metadata keys that cannot be environment variable names, values with NUL or newline.
    for (k, v) in
        [("1BAD", "x"), ("A-B", "x"), ("A=B", "x"), ("", "x"), ("OK", "a\nb"), ("OK", "a\0b")]
    {
        let err = c
            .metadata(authed(
                &token,
                pb::NewMetadata {
                    filter: Some(by_name(&site.name("first"))),
                    md: metadata(&[(k, v)]),
                },
            ))
            .await
            .expect_err("bad metadata");
        assert_eq!(err.code(), Code::InvalidArgument, "{k:?}={v:?}: {err:?}");
    }

    // An oversized message.
    let huge = "x".repeat(2 * 1024 * 1024);
    let err = c
        .metadata(authed(
            &token,
            pb::NewMetadata {
                filter: Some(by_name(&site.name("first"))),
                md: metadata(&[("BIG", &huge)]),
            },
        ))
        .await
        .expect_err("oversized");
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");

    let still = site.container(&token, &site.name("first")).await.expect("first exists");
    assert!(still.md.unwrap_or_default().entries.is_empty(), "bad metadata changed something");

    // Start of an unknown id.
    let err = c.start(authed(&token, by_id("0123456789abcdef"))).await.expect_err("unknown");
    assert_eq!(err.code(), Code::NotFound, "{err:?}");

    // Metadata on a RUNNING container.
    c.start(authed(&token, by_name(&site.name("first")))).await.expect("start");
    let err = c
        .metadata(authed(
            &token,
            pb::NewMetadata {
                filter: Some(by_name(&site.name("first"))),
                md: metadata(&[("LATE", "1")]),
            },
        ))
        .await
        .expect_err("metadata on running");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");

    let all = c.containers(authed(&token, pb::Filter::default())).await.expect("list").into_inner();
    assert_eq!(all.list.len(), 1, "a refused create left a record: {all:?}");
    c.delete(authed(&token, by_name(&site.name("first")))).await.expect("delete");
}
