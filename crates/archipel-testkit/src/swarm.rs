//! A Docker Swarm cluster on this machine, made as the lab makes a Swarm site
//! (`archipel_lab::swarm`): each node a network namespace with its own `dockerd`, all on one
//! bridge in a namespace of the cluster's own (the site's), the first node the manager.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Output;

use archipel_lab::swarm::{create_cluster, plan, remove_cluster};
use archipel_lab::SwarmNodeContext;

use crate::cmd::{run, sh};

/// One node: its namespace, address and engine.
#[derive(Debug)]
pub struct Node(SwarmNodeContext);

impl Deref for Node {
    type Target = SwarmNodeContext;

    fn deref(&self) -> &SwarmNodeContext {
        &self.0
    }
}

/// The cluster; dropping it removes every container, engine, namespace and file of it.
#[derive(Debug)]
pub struct Swarm {
    pub nodes: Vec<Node>,
    /// The namespace holding the bridge between the nodes.
    site: String,
    dir: PathBuf,
}

impl Node {
    /// `docker -H unix://SOCKET ARGS`: its output, whether it succeeded or not.
    pub fn docker(&self, args: &[&str]) -> Output {
        let host = format!("unix://{}", self.socket().display());
        run("docker", &[&["-H", &host][..], args].concat())
    }

    /// The same, stdout; panics with stderr when it fails.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        let out = self.docker(args);
        assert!(
            out.status.success(),
            "docker {args:?} on {}: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Swarm {
    /// `n` nodes joined in one Swarm, each holding `images` (from this machine's engine).
    pub fn up(n: usize, images: &[&str]) -> Self {
        let id = crate::unique("sw");
        let dir = Path::new("/var/tmp").join(format!("archipel-{id}"));
        let site = format!("{id}s");
        sh(&format!("ip netns add {site} && ip -n {site} link set lo up"));
        let nodes = plan(&id, "s", &dir, n);
        let swarm = Swarm {
            nodes: nodes.iter().cloned().map(Node).collect(),
            site: site.clone(),
            dir: dir.clone(),
        };
        // Its own runtime, on a thread of its own: the caller may be inside one.
        let images: Vec<String> = images.iter().map(|i| (*i).to_owned()).collect();
        let made = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            let images: Vec<&str> = images.iter().map(String::as_str).collect();
            runtime.expect("a runtime").block_on(create_cluster(&site, &nodes, &images))
        });
        if let Err(err) = made.join().expect("the cluster's maker") {
            panic!("make a Swarm of {n} nodes: {err}");
        }
        swarm
    }

    /// The `--swarm-node` arguments of popd for every node, the manager first, and the
    /// cluster's own namespace as the site's (`--netns`), where its networks get their bridges.
    pub fn popd_args(&self) -> Vec<String> {
        let nodes = self.nodes.iter().flat_map(|n| ["--swarm-node".to_owned(), n.popd_arg()]);
        nodes.chain(["--netns".to_owned(), self.site.clone()]).collect()
    }

    /// The namespace of the site: the bridge between the nodes, and the site's bridges.
    pub fn site_netns(&self) -> &str {
        &self.site
    }

    /// The containers of every node, as `(NODE, NAME)`.
    pub fn containers(&self) -> Vec<(String, String)> {
        let mut all = Vec::new();
        for node in &self.nodes {
            let names = node.docker_ok(&["ps", "-a", "--format", "{{.Names}}"]);
            all.extend(names.lines().map(|c| (node.name.clone(), c.to_owned())));
        }
        all
    }
}

impl Drop for Swarm {
    fn drop(&mut self) {
        let nodes: Vec<SwarmNodeContext> = self.nodes.iter().map(|n| n.0.clone()).collect();
        remove_cluster(&nodes, &self.dir);
        let _ = run("ip", &["netns", "del", &self.site]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
