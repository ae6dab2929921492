//! `lab down`: remove a lab.

use std::path::Path;

use clap::Args;

/// Stop every daemon and container of the lab and remove its namespaces, links and files.
/// Idempotent, also after a crash.
#[derive(Debug, Args)]
pub struct DownArgs {}

pub async fn run(dir: Option<&Path>, _args: DownArgs) -> anyhow::Result<()> {
    let path = archipel_lab::context_path(dir);
    match archipel_lab::down(&path).await? {
        Some(ctx) => println!("lab {} is down", ctx.name),
        None => println!("no lab at {}", path.display()),
    }
    Ok(())
}
