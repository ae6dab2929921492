//! The NFVO's web view (`/ui`) in a real browser, Debian's headless `chromium`, during a
//! two-site run: the page, given a token in its URL fragment, shows both sites, the service
//! across them ACTIVE with both VNFCs' addresses, and the link between the sites. The
//! screenshots stay in a directory under the target directory, printed by the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::harness::{text, Lab};
use crate::orchestrator::{s, vnfcs, Orchestrator};

/// A browser window large enough for the whole page in one screenshot.
const WINDOW: &str = "--window-size=1280,1600";

/// Where this run's screenshots go: `<target>/tmp/ui-screenshots/<unique>/`.
pub fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ui-screenshots")
        .join(archipel_testkit::unique("run"));
    std::fs::create_dir_all(&dir).unwrap();
    println!("screenshots of the web view: {}", dir.display());
    dir
}

/// The web view of `o`'s NFVO, logged in through the URL fragment with the admin's token
/// (or at the login form without one), as headless Chromium renders it.
pub struct Browser<'a> {
    o: &'a Orchestrator,
    token: Option<String>,
}

impl<'a> Browser<'a> {
    pub fn logged_in(o: &'a Orchestrator) -> Self {
        Self { o, token: Some(o.nfvo.token()) }
    }

    pub fn logged_out(o: &'a Orchestrator) -> Self {
        Self { o, token: None }
    }

    /// The DOM once the page's scripts have run (five seconds of the page's virtual time,
    /// which does not wait on the open event stream).
    pub fn dom(&self) -> String {
        let out = self.run(&["--dump-dom"]);
        let dom = text(&out.stdout);
        assert!(out.status.success() && dom.contains("</html>"), "chromium failed: {dom}");
        dom
    }

    /// Saves the page as rendered to `file`.
    pub fn screenshot(&self, file: &Path) {
        let arg = format!("--screenshot={}", file.display());
        let out = self.run(&[&arg]);
        assert!(out.status.success() && file.exists(), "no screenshot {}", file.display());
    }

    fn run(&self, what: &[&str]) -> std::process::Output {
        let profile = tempfile::tempdir().unwrap();
        let url = match &self.token {
            Some(token) => format!("{}/ui#token={token}", self.o.nfvo.endpoint),
            None => format!("{}/ui", self.o.nfvo.endpoint),
        };
        // Root cannot use Chromium's sandbox; the page is our own, from loopback.
        Command::new("chromium")
            .args(["--headless", "--no-sandbox", "--disable-gpu", WINDOW])
            .args(["--virtual-time-budget=5000", "--hide-scrollbars"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(what)
            .arg(url)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .expect("run chromium (Debian's package chromium)")
    }
}

/// The NSR of a two-VNF SIPp service launched with its server on site a and its client on b,
/// the client calling until stopped.
pub fn launch_split(o: &Orchestrator, name: &str) -> Value {
    let mut nsd = archipel_testkit::sipp_nsd();
    nsd["name"] = Value::from(name);
    let nsd = o.onboard(&nsd);
    let out = o.launch(&nsd, &[("sipp-server", "a"), ("sipp-client", "b")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), o.nfvo.log());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits until the NFVO reports every site REACHABLE.
pub fn wait_reachable(o: &Orchestrator) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let sites = o.json(&["site", "ls"]);
        let all =
            sites.as_array().is_some_and(|l| l.iter().all(|s| s["reachability"] == "REACHABLE"));
        if all {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the sites never became reachable: {sites}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// The address of the one VNFC of `vnf` on the virtual link `private`.
pub fn address(ns: &Value, vnf: &str) -> String {
    s(&vnfcs(ns, vnf)[0]["addresses"]["private"]).to_owned()
}

#[test]
#[ignore = "needs root"]
fn the_web_view_shows_the_sites_and_a_service_across_them() {
    let lab = Lab::up(2);
    let o = Orchestrator::over(&lab);
    let shots = artefacts();

    let login = Browser::logged_out(&o);
    let dom = login.dom();
    assert!(dom.contains("<section id=\"login\">"), "no login form shown:\n{dom}");
    login.screenshot(&shots.join("login.png"));

    let ns = launch_split(&o, "sipp-ui");
    assert_eq!(ns["status"], "ACTIVE", "{ns}");
    let id = s(&ns["id"]).to_owned();
    // The NFVO's watch says a site is REACHABLE once it follows it.
    wait_reachable(&o);
    let browser = Browser::logged_in(&o);
    let dom = browser.dom();
    browser.screenshot(&shots.join("active.png"));
    let shown = [
        "<tr data-site=\"a\" data-reachability=\"REACHABLE\">".to_owned(),
        "<tr data-site=\"b\" data-reachability=\"REACHABLE\">".to_owned(),
        format!("data-ns=\"{id}\" data-status=\"ACTIVE\""),
        format!("data-address=\"{}\"", address(&ns, "sipp-server")),
        format!("data-address=\"{}\"", address(&ns, "sipp-client")),
        "data-link=\"a-b\"".to_owned(),
        "<p id=\"error\" class=\"error\"></p>".to_owned(),
    ];
    for want in &shown {
        assert!(dom.contains(want.as_str()), "the page lacks {want}:\n{dom}");
    }
    assert!(!dom.contains("<section id=\"login\">"), "the login form is shown:\n{dom}");

    let ended = o.json(&["ns", "terminate", &id, "--wait"]);
    assert_eq!(ended["status"], "TERMINATED", "{ended}");
    drop(o);
    lab.down();
}
