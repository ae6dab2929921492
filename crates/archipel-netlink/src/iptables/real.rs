//! The `iptables` commands, run in the namespace asked for (a spawned process inherits the
//! namespace of the thread that spawns it).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use async_trait::async_trait;

use super::{Firewall, FirewallError, RuleSet, Table};
use crate::netns::in_netns_async;

/// The real [`Firewall`]: needs root (CAP_NET_ADMIN) and the `iptables` package.
#[derive(Debug, Clone, Copy, Default)]
pub struct Iptables;

/// One command: `program args`, `stdin` written to it.
struct Call {
    program: &'static str,
    args: Vec<String>,
    stdin: String,
}

impl Call {
    fn iptables(args: Vec<String>) -> Self {
        Self { program: "iptables", args, stdin: String::new() }
    }

    /// `iptables-restore -w --noflush` of `script`: one transaction.
    fn restore(script: String) -> Self {
        Self { program: "iptables-restore", args: strings(&["-w", "--noflush"]), stdin: script }
    }

    fn op(&self) -> String {
        format!("{} {}", self.program, self.args.join(" "))
    }

    /// Runs the command in `ns`.
    async fn run(self, ns: Option<&str>) -> Result<Output, FirewallError> {
        let op = self.op();
        let output = in_netns_async(ns, move || {
            let mut child = Command::new(self.program)
                .args(&self.args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()?;
            if let Some(mut input) = child.stdin.take() {
                input.write_all(self.stdin.as_bytes())?;
            }
            child.wait_with_output()
        })
        .await?;
        output.map_err(|source| FirewallError::Spawn { op, source })
    }

    /// Runs the command in `ns` and fails unless it succeeds.
    async fn must(self, ns: Option<&str>) -> Result<Output, FirewallError> {
        let op = self.op();
        let out = self.run(ns).await?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            return Err(FirewallError::Refused { op, stderr });
        }
        Ok(out)
    }
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// `iptables -w -t TABLE ACTION BUILTIN [1] MATCH -j CHAIN`.
fn hook_args(table: Table, action: &str, hook: &super::Hook, chain: &str) -> Vec<String> {
    let mut args = strings(&["-w", "-t", table.name(), action, &hook.builtin]);
    if action == "-I" {
        args.push("1".into());
    }
    args.extend(hook.matches.iter().cloned());
    args.extend(strings(&["-j", chain]));
    args
}

#[async_trait]
impl Firewall for Iptables {
    async fn ensure(&self, ns: Option<&str>, set: &RuleSet) -> Result<(), FirewallError> {
        let chain = &set.chain;
        let mut script = format!("*{}\n:{chain} - [0:0]\n", set.table);
        for rule in &set.rules {
            script += &format!("-A {chain} {rule}\n");
        }
        script += "COMMIT\n";
        Call::restore(script).must(ns).await?;
        for hook in &set.hooks {
            let check = Call::iptables(hook_args(set.table, "-C", hook, chain));
            if !check.run(ns).await?.status.success() {
                Call::iptables(hook_args(set.table, "-I", hook, chain)).must(ns).await?;
            }
        }
        Ok(())
    }

    async fn remove(
        &self,
        ns: Option<&str>,
        table: Table,
        chain: &str,
    ) -> Result<(), FirewallError> {
        let listed = Call::iptables(strings(&["-w", "-t", table.name(), "-S"])).must(ns).await?;
        let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
        if !listed.lines().any(|l| l == format!("-N {chain}")) {
            return Ok(());
        }
        let jump = format!(" -j {chain}");
        let mut script = format!("*{table}\n");
        for rule in listed.lines().filter(|l| l.starts_with("-A ") && l.ends_with(&jump)) {
            script += &format!("-D {}\n", &rule[3..]);
        }
        script += &format!("-F {chain}\n-X {chain}\nCOMMIT\n");
        Call::restore(script).must(ns).await?;
        Ok(())
    }
}
