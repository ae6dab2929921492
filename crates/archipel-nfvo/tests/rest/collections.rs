//! SOL013 on every collection (issue 16): attribute-based filters, attribute selectors, and
//! paging with a `Link` header.

use archipel_nfvo::NfvoConfig;
use serde_json::{json, Value};

use crate::harness::{problem, Api, SIPP};

/// Three instances of the example NSD, named a, b and c.
async fn three_instances(api: &Api) {
    let nsd = api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    for name in ["a", "b", "c"] {
        let body =
            json!({"nsdId": nsd.id, "nsName": name, "nsDescription": format!("{name} test")});
        let answer = api.post_json("/nslcm/v1/ns_instances", &body).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
}

/// The first instance, as the query selects it.
async fn first(api: &Api, query: &str) -> serde_json::Map<String, Value> {
    let answer = api.get_query("/nslcm/v1/ns_instances", query).await;
    assert_eq!(answer.status, 200, "{query}: {}", answer.body);
    answer.body[0].as_object().unwrap().clone()
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|i| i["nsInstanceName"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn filters_keep_the_items_they_match() {
    let api = Api::start(&[]).await;
    three_instances(&api).await;
    let list = |query: &'static str| api.get_query("/nslcm/v1/ns_instances", query);
    assert_eq!(names(&list("filter=(eq,nsInstanceName,b)").await.body), ["b"]);
    assert_eq!(names(&list("filter=(neq,nsInstanceName,b)").await.body), ["a", "c"]);
    assert_eq!(names(&list("filter=(eq,nsInstanceName,a,c)").await.body), ["a", "c"]);
    let both = "filter=(cont,nsInstanceDescription,test);(eq,nsState,NOT_INSTANTIATED)";
    assert_eq!(names(&list(both).await.body), ["a", "b", "c"]);
    assert_eq!(names(&list("filter=(eq,nsState,INSTANTIATED)").await.body), Vec::<&str>::new());
    let nested = "filter=(eq,_links.self.href,nope)";
    assert_eq!(names(&list(nested).await.body), Vec::<&str>::new());

    let unknown = list("filter=(eq,weight,100)").await;
    assert!(problem(&unknown, 400)["detail"].as_str().unwrap().contains("weight"));
    let malformed = list("filter=eq,nsState,INSTANTIATED").await;
    assert!(problem(&malformed, 400)["detail"].as_str().unwrap().contains("filter"));
    problem(&list("filter=(eq,nsState)").await, 400);
    problem(&list("filter=(eq,a)&filter=(eq,b)").await, 400);
    // A parameter SOL013 does not define is refused, naming it (ETSI's suites send these).
    let stray = list("wrongName=any_value").await;
    assert!(problem(&stray, 400)["detail"].as_str().unwrap().contains("wrongName"));
}

#[tokio::test]
async fn selectors_keep_the_attributes_they_name() {
    let api = Api::start(&[]).await;
    three_instances(&api).await;
    let all = first(&api, "").await;
    assert!(all.contains_key("vnfInstance") && all.contains_key("virtualLinkInfo"));
    assert_eq!(first(&api, "all_fields").await, all);
    let default = first(&api, "exclude_default").await;
    assert!(!default.contains_key("vnfInstance") && !default.contains_key("virtualLinkInfo"));
    assert!(default.contains_key("nsState") && default.contains_key("_links"));
    let fields = first(&api, "fields=vnfInstance").await;
    assert!(fields.contains_key("vnfInstance") && !fields.contains_key("virtualLinkInfo"));
    let excluded = first(&api, "exclude_fields=extensionInfo,vnfInstance").await;
    assert!(!excluded.contains_key("extensionInfo") && !excluded.contains_key("vnfInstance"));
    assert!(excluded.contains_key("virtualLinkInfo"));

    for (query, says) in [
        ("exclude_fields=id", "mandatory"),
        ("fields=weight", "weight"),
        ("all_fields&fields=vnfInstance", "all_fields"),
        ("fields=vnfInstance&exclude_fields=nsState", "together"),
    ] {
        let answer = api.get_query("/nslcm/v1/ns_instances", query).await;
        let detail = problem(&answer, 400)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(says), "{query}: {detail}");
    }

    // NSDs leave their user data out by default.
    let data = json!({"userDefinedData": {"k": "v"}});
    assert_eq!(api.post_json("/nsd/v1/ns_descriptors", &data).await.status, 201);
    let nsds = api.get_query("/nsd/v1/ns_descriptors", "exclude_default").await.body;
    assert!(nsds.as_array().unwrap().iter().all(|n| n.get("userDefinedData").is_none()));
    let nsds = api.get_query("/nsd/v1/ns_descriptors", "filter=(eq,userDefinedData.k,v)").await;
    assert_eq!(nsds.body.as_array().unwrap().len(), 1, "{}", nsds.body);
}

#[tokio::test]
async fn large_collections_come_in_pages() {
    let config = NfvoConfig { page_size: 2, ..NfvoConfig::default() };
    let api = Api::start_with(&[], config).await;
    for _ in 0..5 {
        api.client.onboard_nsd(SIPP.to_vec()).await.unwrap();
    }
    let mut query = String::new();
    let mut sizes = Vec::new();
    loop {
        let answer = api.get_query("/nsd/v1/ns_descriptors", &query).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        sizes.push(answer.body.as_array().unwrap().len());
        let Some(link) = answer.headers.get("link") else { break };
        let link = link.to_str().unwrap();
        assert!(link.ends_with("; rel=\"next\""), "{link}");
        let target = link.trim_start_matches('<').split('>').next().unwrap();
        let (path, next) = target.split_once('?').unwrap();
        assert_eq!(path, "/nsd/v1/ns_descriptors");
        assert!(next.contains("nextpage_opaque_marker="), "{next}");
        query = next.to_owned();
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(api.client.nsds().await.unwrap().len(), 5, "the client follows the pages");

    // A filter and a selector stay in the next page's link.
    let answer = api
        .get_query(
            "/nsd/v1/ns_descriptors",
            "filter=(eq,nsdOnboardingState,ONBOARDED)&exclude_default",
        )
        .await;
    let link = answer.headers["link"].to_str().unwrap();
    assert!(link.contains("filter=") && link.contains("exclude_default"), "{link}");

    let wrong = api.get_query("/nsd/v1/ns_descriptors", "nextpage_opaque_marker=zzz").await;
    assert!(problem(&wrong, 400)["detail"].as_str().unwrap().contains("nextpage_opaque_marker"));
    problem(&api.get_query("/nsd/v1/ns_descriptors", "nextpage_opaque_marker=99").await, 400);
}
