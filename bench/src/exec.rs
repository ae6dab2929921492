//! Exec's latency on both runtimes: `true` run inside a running container through the Pop
//! API, beside the same command run by the runtime's own tool in the same run (`docker exec`
//! on the Docker site, `ip netns exec` into the native container's namespace). No published
//! anchor: Open Baton's generic VNF manager runs its scripts over an EMS agent in the VM.

use std::process::Command;
use std::time::Instant;

use anyhow::{ensure, Result};
use archipel_proto::v1 as pb;
use archipel_testkit::{native, require_docker, require_root, PopdRuntime};

use crate::popd::{by_name, Popd};
use crate::stats::summarize;

const RUNS: usize = 30;

pub async fn run(bin: &str) -> Result<()> {
    require_root();
    require_docker();
    println!("## Exec: a command run inside a running container\n");
    println!("| runtime | Pop Exec `true`, median of {RUNS} | the runtime's own tool, same run |");
    println!("| --- | --- | --- |");
    for runtime in [PopdRuntime::Native, PopdRuntime::Docker] {
        let popd = Popd::start(bin, runtime).await?;
        let name = format!("{}-exec", popd.process.name);
        popd.create_start(&name, &format!("{}10", popd.prefix)).await?;
        let tool = match runtime {
            PopdRuntime::Docker => vec!["docker".to_owned(), "exec".to_owned(), name.clone()],
            PopdRuntime::Native => {
                let namespaces = native::namespaces(&popd.process.native_netns_prefix());
                let ns = namespaces.first().cloned().unwrap_or_default();
                vec!["ip".to_owned(), "netns".to_owned(), "exec".to_owned(), ns]
            }
        };
        let (mut pop, mut own) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let request = pb::ExecRequest {
                filter: Some(by_name(&name)),
                command: vec!["true".to_owned()],
                ..Default::default()
            };
            let t = Instant::now();
            let reply = popd.client.clone().exec(popd.authed(request)).await?.into_inner();
            pop.push(t.elapsed());
            ensure!(reply.exit_code == 0, "exec true answered {}", reply.exit_code);

            let t = Instant::now();
            let status = Command::new(&tool[0]).args(&tool[1..]).arg("true").status()?;
            own.push(t.elapsed());
            ensure!(status.success(), "{tool:?} true failed");
        }
        popd.delete(&name).await?;
        println!("| {runtime:?} | {} | {} |", summarize(&pop), summarize(&own));
    }
    println!();
    Ok(())
}
