//! Site secrets at rest and in answers, against the real NFVO and a real popd.

use std::os::unix::fs::PermissionsExt;

use archipel_testkit::PopdRuntime;

use crate::harness::World;

#[test]
#[ignore = "needs root"]
fn site_passwords_are_sealed_in_the_store_and_never_echoed() {
    let world = World::new(&[PopdRuntime::Native]);
    let site = &world.sites[0];
    let (user, password) = site.popd.auth.split_once(':').unwrap();
    let data = world.nfvo.data_dir.path();
    let key = data.join("secrets.key");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);

    // A registration with a wrong password fails without echoing it.
    let wrong = archipel_testkit::unique("wrong-password");
    let auth = format!("{user}:{wrong}");
    let out = world.cli(&["site", "add", "again", "--pop", &site.popd.endpoint, "--auth", &auth]);
    assert!(!out.status.success(), "a wrong popd password is refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("again"), "the refusal names the site: {stderr}");
    assert!(!stderr.contains(&wrong), "the refusal echoes the password: {stderr}");

    let mut held = Vec::new();
    for file in ["nfvo.sqlite", "nfvo.sqlite-wal", "nfvo.sqlite-shm"] {
        held.extend(std::fs::read(data.join(file)).unwrap_or_default());
    }
    assert!(held.len() > 4096, "the store was read");
    for secret in [password, wrong.as_str()] {
        let found = held.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "a site password is in clear in nfvo.sqlite or its WAL");
        assert!(!world.nfvo.log().contains(secret), "a site password is in the NFVO's log");
    }
    // The site still works: the NFVO opens the sealed password to reach its popd.
    let sites = world.cli_json(&["site", "ls"]);
    assert_eq!(sites[0]["reachable"], true, "{sites}");
}
