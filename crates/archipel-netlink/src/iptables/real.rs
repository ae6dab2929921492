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

/// `iptables -w -t TABLE -S`: the table's rules as `-N`/`-A` lines.
async fn list(ns: Option<&str>, table: Table) -> Result<String, FirewallError> {
    let listed = Call::iptables(strings(&["-w", "-t", table.name(), "-S"])).must(ns).await?;
    Ok(String::from_utf8_lossy(&listed.stdout).into_owned())
}

/// The `-D` lines of an `iptables-restore` script that remove every jump to `chain` that
/// `listed` holds.
fn unhook(listed: &str, chain: &str) -> String {
    let jump = format!(" -j {chain}");
    listed
        .lines()
        .filter(|l| l.starts_with("-A ") && l.ends_with(&jump))
        .map(|rule| format!("-D {}\n", &rule[3..]))
        .collect()
}

#[async_trait]
impl Firewall for Iptables {
    /// Two processes whatever the set: the table listed, then one `iptables-restore` that
    /// removes the set's hooks, makes (or flushes) its chain, fills it and hooks it again at
    /// the top of each builtin chain, in one transaction. Finding the hooks by their jump, not
    /// by comparing their matches, does not depend on how `iptables -S` rewrites a match.
    async fn ensure(&self, ns: Option<&str>, set: &RuleSet) -> Result<(), FirewallError> {
        let chain = &set.chain;
        let listed = list(ns, set.table).await?;
        let mut script = format!("*{}\n{}:{chain} - [0:0]\n", set.table, unhook(&listed, chain));
        for rule in &set.rules {
            script += &format!("-A {chain} {rule}\n");
        }
        for hook in &set.hooks {
            script += &format!("-I {} 1 {} -j {chain}\n", hook.builtin, hook.matches.join(" "));
        }
        script += "COMMIT\n";
        Call::restore(script).must(ns).await?;
        Ok(())
    }

    async fn remove(
        &self,
        ns: Option<&str>,
        table: Table,
        chain: &str,
    ) -> Result<(), FirewallError> {
        let listed = list(ns, table).await?;
        if !listed.lines().any(|l| l == format!("-N {chain}")) {
            return Ok(());
        }
        let mut script = format!("*{table}\n{}", unhook(&listed, chain));
        script += &format!("-F {chain}\n-X {chain}\nCOMMIT\n");
        Call::restore(script).must(ns).await?;
        Ok(())
    }
}
