//! `--keep`: the lab and the network service stay; the NFVO of this process stops (its store
//! stays, for `archipel nfvo --data-dir` to serve again), and the demo says how to look around
//! and how to stop.

use std::path::{Path, PathBuf};

use archipel_lab::NFVO_CERT;

use super::made::Made;
use super::nsd::{CLIENT, SERVER};
use super::progress::Progress;
use super::sipp;

pub async fn keep(made: &mut Made, progress: &Progress) -> anyhow::Result<()> {
    if let Some(nfvo) = made.nfvo.take() {
        let store = nfvo.data_dir().display().to_string();
        let step = progress.begin(format!("orchestrator: stopped, its store kept in {store}"));
        step.end(nfvo.stop().await)?;
    }
    let Some(ctx) = &made.ctx else {
        progress.heading("kept: nothing (the lab never came up)");
        return Ok(());
    };
    let bin = "archipel";
    let dir = quote(&ctx.dir);
    let lab = format!("{bin} lab --dir {dir}");
    let env = |site: &str| format!("eval \"$({lab} env {site})\"");
    progress.heading("kept: the lab and the network service run on");
    if let Some(dir) = directory_off_path() {
        progress.note(format!("archipel is not on PATH: export PATH={}:\"$PATH\"", quote(&dir)));
    }
    progress.note("look around:");
    let mut lines = vec![
        (format!("{lab} status"), "the sites, their popds and agents".to_owned()),
        (format!("{} && {bin} pop servers -o table", env("a")), "site a's containers".to_owned()),
    ];
    if let Some(nsr) = &made.nsr {
        if let Ok(server) = sipp::vnfc(nsr, SERVER) {
            lines.push((
                format!(
                    "{} && {bin} pop stop {} && {bin} pop logs {}",
                    env(&server.site),
                    server.name,
                    server.name
                ),
                "the SIPp server's counters (it prints them as it ends)".to_owned(),
            ));
        }
        if let Ok(client) = sipp::vnfc(nsr, CLIENT) {
            lines.push((
                format!("{} && {bin} pop logs {}", env(&client.site), client.name),
                "the SIPp client's log".to_owned(),
            ));
        }
        if let Some(extension) = nsr.extension_info.first() {
            lines.push((
                format!("{} && {bin} intersite ls -o table", env(&extension.master_vim_id)),
                "the L2 extension, at its master's agent".to_owned(),
            ));
        }
    }
    lines.push((
        format!("{lab} exec b -- ip -br link"),
        "site b's namespace: bridge, VXLAN".to_owned(),
    ));
    let store = quote(&made.nfvo_dir());
    let lab_ctx = made.ctx.as_ref();
    let (tls, endpoint) = match (
        lab_ctx.and_then(|c| c.cert_files(NFVO_CERT)),
        lab_ctx.and_then(|c| c.ca.as_ref()),
    ) {
        (Some(files), Some(ca)) => (
            format!(
                "--tls-cert {} --tls-key {} --ca {}",
                quote(&files.cert),
                quote(&files.key),
                quote(ca)
            ),
            format!("ARCHIPEL_CA={} ARCHIPEL_ENDPOINT=https://127.0.0.1:8080", quote(ca)),
        ),
        _ => ("--insecure".to_owned(), "ARCHIPEL_ENDPOINT=http://127.0.0.1:8080".to_owned()),
    };
    lines.push((
        format!("{bin} nfvo --data-dir {store} --listen 127.0.0.1:8080 {tls} &"),
        "the orchestrator again, on its store".to_owned(),
    ));
    let password = quote(&made.nfvo_dir().join(super::orchestrator::ADMIN_PASSWORD_FILE));
    // One export for both lines: the login must reach the NFVO as the next command does (TLS
    // when the lab has a CA).
    lines.push((
        format!(
            "export {endpoint} && {bin} login --user {} --password-stdin < {password}",
            super::orchestrator::ADMIN
        ),
        "log in as the demo's admin".to_owned(),
    ));
    if let Some(ns) = &made.ns {
        lines.push((format!("{bin} ns show {ns} -o table"), "the network service".to_owned()));
    }
    for (command, what) in lines {
        progress.note(format!("  {command}    # {what}"));
    }
    progress.note("stop (the lab's processes, containers, namespaces and files, then the store):");
    progress.note(format!("  {lab} down && rm -r {store}"));
    Ok(())
}

/// This binary's directory, unless `archipel` on PATH is this binary.
fn directory_off_path() -> Option<PathBuf> {
    let me = std::env::current_exe().and_then(|p| p.canonicalize()).ok()?;
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path)
            .find_map(|dir| dir.join("archipel").canonicalize().ok())
            .is_some_and(|found| found == me)
    });
    if on_path {
        None
    } else {
        me.parent().map(Path::to_owned)
    }
}

/// A path as a shell word.
fn quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%".contains(&b)) {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_shell_words() {
        assert_eq!(quote(Path::new("/run/archipel/demo")), "/run/archipel/demo");
        assert_eq!(quote(Path::new("/tmp/a b")), "'/tmp/a b'");
        assert_eq!(quote(Path::new("/tmp/it's")), "'/tmp/it'\\''s'");
    }
}
