//! The baseline of the `nfvo` suite: Debian's `docker-compose` bringing up the SIPp service's two
//! containers as Archipel does (the server first, the client told the server's address).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use tempfile::TempDir;

/// Fails with the Debian package to install when `docker-compose` is not there.
pub fn require() -> Result<()> {
    let found = Command::new("docker-compose")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        bail!(
            "the nfvo suite needs docker-compose: install Debian's package docker-compose \
             (apt-get install -y docker-compose)"
        );
    }
    Ok(())
}

/// What Archipel gives each container of the SIPp NSD.
pub struct Service {
    pub server_image: String,
    pub client_image: String,
    /// The client's configuration parameters, which Archipel passes as its environment.
    pub client_env: BTreeMap<String, String>,
}

/// One compose project in its own directory; dropping it runs `docker-compose down`.
pub struct Project {
    name: String,
    file: PathBuf,
    _dir: TempDir,
}

impl Project {
    /// Writes the compose file (JSON, which is YAML): a network on `subnet` (`a.b.c.0/24`) with
    /// the server at `a.b.c.10`, the client depending on it with `SERVER_PRIVATE` set to that.
    pub fn new(name: &str, service: &Service, subnet: &str) -> Result<Self> {
        let server_ip = format!("{}10", subnet.trim_end_matches("0/24"));
        let mut env: BTreeMap<String, String> = service.client_env.clone();
        // Open Baton's name of the source's parameter: UPPER(<source type>_<link>).
        env.insert("SERVER_PRIVATE".into(), server_ip.clone());
        let file = json!({
            "version": "2.4",
            "services": {
                "server": {
                    "image": service.server_image,
                    "networks": { "private": { "ipv4_address": server_ip } },
                },
                "client": {
                    "image": service.client_image,
                    "depends_on": ["server"],
                    "environment": env,
                    "networks": ["private"],
                },
            },
            "networks": { "private": { "ipam": { "config": [{ "subnet": subnet }] } } },
        });
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("docker-compose.yml");
        std::fs::write(&path, serde_json::to_vec_pretty(&file)?)?;
        Ok(Self { name: name.to_owned(), file: path, _dir: dir })
    }

    /// `docker-compose up -d`: returns when both containers are started.
    pub fn up(&self) -> Result<()> {
        self.compose(&["up", "-d"])
    }

    fn compose(&self, args: &[&str]) -> Result<()> {
        let out = Command::new("docker-compose")
            .args(["-p", &self.name, "-f"])
            .arg(&self.file)
            .args(args)
            .output()
            .context("run docker-compose")?;
        if !out.status.success() {
            bail!("docker-compose {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = self.compose(&["down", "--volumes", "--remove-orphans", "--timeout", "1"]);
    }
}

/// The images and the client's configuration, read from the SIPp NSD.
pub fn sipp_service(nsd: &Value) -> Result<Service> {
    let vnfd = |name: &str| {
        nsd["vnfd"]
            .as_array()
            .and_then(|all| all.iter().find(|v| v["name"] == name))
            .with_context(|| format!("no VNFD {name} in the SIPp NSD"))
    };
    let image =
        |v: &Value| v["vdu"][0]["vm_image"][0].as_str().map(str::to_owned).context("a VDU image");
    let (server, client) = (vnfd("sipp-server")?, vnfd("sipp-client")?);
    let client_env = client["configurations"]["configurationParameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["confKey"].as_str()?.to_owned(), p["value"].as_str()?.to_owned())))
        .collect();
    Ok(Service { server_image: image(server)?, client_image: image(client)?, client_env })
}

/// The NSD as JSON: it has a trailing comma in an array, which the NFVO accepts (as Open Baton
/// did) and serde_json does not, so commas before a `]` outside strings are dropped.
pub fn parse_lenient(text: &str) -> Result<Value> {
    let (mut out, mut in_string, mut escaped) = (String::with_capacity(text.len()), false, false);
    for (at, c) in text.char_indices() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c == ',' && text[at + 1..].trim_start().starts_with(']') {
            continue;
        }
        out.push(c);
    }
    Ok(serde_json::from_str(&out)?)
}
