//! A plain site never takes part in an encrypted service, nor trades WireGuard keys.

use super::*;
use crate::model::{KeyOffer, Resource};
use crate::wireguard::Encryption;

#[tokio::test]
async fn a_plain_site_refuses_an_encrypted_service_and_makes_nothing() {
    let (sites, _peers) = world(&["a", "b", "c"]).await;
    sites["a"].vim.add("net", "10.0.0.0/24").await;
    let plain = request(ServiceType::L2, &[("a", "net"), ("b", "net")]);
    let mut service = sites["a"].agent.create(plain).await.unwrap();
    assert_eq!(service.params.encryption, Encryption::None);

    service.global_id = "a-0e0e0e0e".into();
    service.params.encryption = Encryption::Wireguard;
    service.resources.push(Resource { site: "c".into(), network: "net".into(), created: false });
    // A plan c would take but for its encryption: who asks and what is asked are checked first.
    let b_pools = service.params.pools["b"].clone();
    service.params.pools.insert("c".into(), b_pools);
    let refused = sites["c"].agent.join("a", service).await.unwrap_err();
    assert!(matches!(refused, AgentError::EncryptionMismatch { .. }), "{refused}");
    assert!(no_tunnels(&sites["c"]).await);
    assert!(sites["c"].agent.list().unwrap().is_empty());

    let offer = KeyOffer { public_key: "AAAA".into(), port: 51820 };
    let off = sites["b"].agent.accept_key("a", offer).await.unwrap_err();
    assert!(matches!(off, AgentError::EncryptionOff { .. }), "{off}");
}
