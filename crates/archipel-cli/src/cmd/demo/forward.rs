//! The demo's steps, in order, each shown as it happens with its duration: the lab, the
//! images, the NFVO, the sites, the NSD, the launch, SIPp's counters, the NSR.

use std::time::Duration;

use anyhow::{bail, Context as _};
use archipel_lab::{DockerSite, LabError, LabPlan};

use super::launch::{self, Placement};
use super::made::Made;
use super::nsd::{self, CLIENT, SERVER};
use super::orchestrator::Orchestrator;
use super::preflight::Runtime;
use super::progress::Progress;
use super::{images, sipp, sites, views, DemoArgs};

/// sipp's own limit on the client's run (SIPP_TIMEOUT), so that it fails rather than hangs:
/// 30 s, or twice what the calls take at the NSD's rate of 10 calls a second.
fn sipp_timeout_secs(calls: u32) -> u32 {
    (calls / 5).max(30)
}

/// How long the client may take to end: sipp's own limit and 30 s more.
fn client_limit(calls: u32) -> Duration {
    Duration::from_secs(u64::from(sipp_timeout_secs(calls)) + 30)
}

pub async fn forward(args: &DemoArgs, progress: &Progress, made: &mut Made) -> anyhow::Result<()> {
    let plan = LabPlan {
        name: args.name.clone(),
        sites: 2,
        underlay: args.underlay,
        dir: args.dir.clone(),
        images_dir: None,
        docker: (args.runtime == Runtime::Docker)
            .then(|| DockerSite { site: "b".to_owned(), default_subnet: args.docker_subnet }),
        swarm_nodes: 0,
        tls: !args.insecure,
        plain_vxlan: false,
    };
    let b = match args.runtime {
        Runtime::Native => "",
        Runtime::Docker => "; site b on the host's Docker Engine",
    };
    let step = progress.begin(format!(
        "lab up: 2 sites, a and b (namespaces, underlay {}, a popd and an agent per site{b})",
        args.underlay
    ));
    made.lab = Some(archipel_lab::context_path(Some(&args.dir)));
    let up = archipel_lab::up(&plan).await;
    if let Err(LabError::AlreadyUp(_)) = &up {
        made.lab = None; // someone else's: not the demo's to take down
    }
    let ctx = step.end(up.context("bringing the lab up"))?;
    for s in &ctx.sites {
        progress.note(format!(
            "site {}: namespace {}, underlay {}, popd {}, agent {}",
            s.name, s.netns, s.underlay_ip, s.popd_url, s.agent_url
        ));
    }
    made.ctx = Some(ctx.clone());

    let step = progress.begin(format!("native images into {}", ctx.images_dir.display()));
    let names = step.end(images::install(&ctx.images_dir))?;
    progress.note(names.join(", "));

    let step = progress.begin(format!(
        "orchestrator: the NFVO in this process, its store in {}",
        made.nfvo_dir().display()
    ));
    let nfvo = step.end(Orchestrator::start(&made.nfvo_dir(), &ctx).await)?;
    progress.note(format!("REST API at {}", nfvo.endpoint()));
    let client = nfvo.client().clone();
    made.nfvo = Some(nfvo);

    let step = progress.begin("sites: a and b registered with their popd and agent (POST /sites)");
    let registered = step.end(sites::register(&client, &ctx).await)?;
    progress.block(&views::sites(&registered));

    let nsd = nsd::with_calls(args.calls, sipp_timeout_secs(args.calls))?;
    let step = progress.begin(format!(
        "onboard: the thesis's SIPp NSD (examples/sipp/nsd.json), with SIPP_CALLS={} so the \
         client stops and SIPP_TIMEOUT={} so it never hangs (POST /nsd/v1/ns_descriptors)",
        args.calls,
        sipp_timeout_secs(args.calls)
    ));
    let nsd = step.end(launch::onboard(&client, nsd).await)?;
    let (name, version) = (nsd.nsd_name.as_deref(), nsd.nsd_version.as_deref());
    progress.note(format!("NSD {} {}, id {}", name.unwrap_or("-"), version.unwrap_or("-"), nsd.id));

    let placement = Placement { server: "a".to_owned(), client: "b".to_owned() };
    let step = progress.begin(format!(
        "launch: {SERVER} at site {}, {CLIENT} at site {}; their virtual link spans both sites",
        placement.server, placement.client
    ));
    let result = launch::launch(&client, &nsd, &placement, &mut made.ns, &step).await;
    let nsr = step.end(result)?;
    made.nsr = Some(nsr.clone());
    progress.block(&views::vnfcs(&nsr));
    progress.block(&views::networks(&nsr));
    progress.block(&views::extensions(&nsr));

    let server = sipp::vnfc(&nsr, SERVER)?;
    let caller = sipp::vnfc(&nsr, CLIENT)?;
    let step = progress.begin(format!(
        "calls: the client at site {} ({}) calls the server at site {} ({}), {} times",
        caller.site, caller.address, server.site, server.address, args.calls
    ));
    let pop_b = sites::pop(&ctx, ctx.site(&caller.site)?)?;
    let ended = step.end(sipp::await_end(&pop_b, &caller.name, client_limit(args.calls)).await)?;
    progress.heading(format!(
        "SIPp's client, {} at site {}: {} (exit code {}); its log (Pop Logs) says",
        caller.name,
        caller.site,
        ended.status,
        ended.exit_code.map_or_else(|| "unknown".to_owned(), |c| c.to_string())
    ));
    let verdict = sipp::verdict(&ended, args.calls);
    let shown =
        sipp::screen(&ended.log, &["Outgoing calls created", "Successful call", "Failed call"]);
    progress.block(&shown.join("\n"));
    if verdict.is_err() {
        progress.note("the end of its log:");
        progress.block(&sipp::tail(&ended.log, 20));
    }

    let pop_a = sites::pop(&ctx, ctx.site(&server.site)?)?;
    if args.keep {
        progress.heading(format!(
            "SIPp's server, {} at site {}: running; its log (Pop Logs) says",
            server.name, server.site
        ));
        progress.block(&sipp::log(&pop_a, &server.name).await?);
        progress
            .note("(sipp prints its counters as it ends: see below how to stop it and read them)");
    } else {
        let step = progress.begin(format!(
            "SIPp's server, {} at site {}: stopped (Pop Stop), so that sipp prints its counters",
            server.name, server.site
        ));
        let stopped = step.end(sipp::stop(&pop_a, &server.name).await)?;
        progress.heading(format!(
            "SIPp's server, {} at site {}: {}; its log (Pop Logs) says",
            server.name, server.site, stopped.status
        ));
        progress.block(&sipp::screen(&stopped.log, &["Incoming calls created"]).join("\n"));
    }
    for pop in [&pop_a, &pop_b] {
        if let Err(err) = pop.logout().await {
            tracing::debug!(error = %err, "logout failed");
        }
    }
    match &verdict {
        Ok(()) => progress.heading(format!(
            "verdict: the client's {} calls were all answered by the server, from site {} to \
             site {} over the L2 extension",
            args.calls, caller.site, server.site
        )),
        Err(why) => progress.heading(format!("verdict: {why}")),
    }

    progress.heading(format!("the NSR (GET /nslcm/v1/ns_instances/{})", nsr.id));
    let nsr = client.ns_instance(&nsr.id).await.context("reading the NSR")?;
    progress.raw(&views::nsr(args.output, &nsr)?);
    made.nsr = Some(nsr);
    if let Err(why) = verdict {
        bail!("{why}");
    }
    Ok(())
}
