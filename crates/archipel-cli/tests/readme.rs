//! README.md's commands, run as written, so that the README cannot drift from the binary.
//!
//! Every fenced block of README.md is accounted for:
//!
//! - the first holds the two commands at the top, `bash scripts/demo.sh` and
//!   `bash scripts/test.sh`: the test asserts the block is exactly those two lines and runs
//!   neither here. test.sh is what CI runs (it runs this test, among all the others); demo.sh
//!   is run as written by tests/demo.rs, on the binary under test, end to end.
//! - every other block is a shell session (the tour): its lines run in one `bash -e` session
//!   (so `export` and `&` work, and the first failing command fails the test), from the
//!   repository root, with the directory of the `archipel` under test first on PATH, stdin
//!   empty, and `TMPDIR` pointing into a directory of this test: the README's `mktemp -d` then
//!   gives popd a data directory of its own (nothing else is substituted; the README itself
//!   uses port 0). After it, nothing may be left: no process of the session, and for each popd
//!   it configured (a `popd.toml` under `TMPDIR`) no container namespace (`apc…`), no bridge
//!   (`apb…`) of its default network or of a network the block creates, and no forwarding rule
//!   for one. What is left is removed, then the test fails.
//! - a block that is not shell (its fence names another language) must be listed in
//!   [`NOT_RUN`] with the reason, or the test fails.
//!
//! Needs root (the tour's popd runs the native runtime: network namespaces, bridges, veths):
//! fails, never skips, without it.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use archipel_pop::runtime::native::bridge_name;
use archipel_pop::{ConfigFile, PopdConfig};
use archipel_testkit::{native, require_root, run};

const BIN: &str = env!("CARGO_BIN_EXE_archipel");
/// The first block of README.md, exactly.
const TOP: [&str; 2] = ["bash scripts/demo.sh", "bash scripts/test.sh"];
/// Fenced blocks not run, by their first line, with the reason. None today.
const NOT_RUN: &[(&str, &str)] = &[];
/// How long one block may run before it is killed and the test fails.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(120);
/// What a session must not inherit: it would change what the README's commands do.
const CLEARED_ENV: [&str; 6] =
    ["POP_ENDPOINT", "POP_AUTH", "POPD_AUTH", "POPD_CONFIG", "POPD_POOL_PROVIDER_TOKEN", "CDPATH"];

#[derive(Debug)]
struct Block {
    /// The 1-based line of the opening fence.
    line: usize,
    /// What follows the opening fence (a language, or nothing).
    info: String,
    lines: Vec<String>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// The fenced (```) blocks of a Markdown text.
fn fenced_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (open.take(), fence) {
            (None, Some(info)) => {
                open = Some(Block { line: i + 1, info: info.trim().to_owned(), lines: Vec::new() })
            }
            (Some(block), Some(rest)) if rest.trim().is_empty() => blocks.push(block),
            (Some(mut block), _) => {
                block.lines.push(line.to_owned());
                open = Some(block);
            }
            (None, None) => {}
        }
    }
    if let Some(block) = open {
        panic!("README.md: the block opened at line {} is never closed", block.line);
    }
    blocks
}

#[test]
#[ignore = "needs root"]
fn readme_commands_run_as_written() {
    require_root();
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("read README.md");
    let blocks = fenced_blocks(&readme);
    let (top, rest) = blocks.split_first().expect("README.md has no fenced block");
    assert_eq!(
        top.lines, TOP,
        "README.md's first block (line {}) must be exactly the two commands {TOP:?}: this test \
         runs neither here (test.sh is CI, demo.sh runs in tests/demo.rs)",
        top.line
    );
    let mut ran = 0;
    for block in rest {
        let first = block.lines.first().map(String::as_str).unwrap_or_default();
        if NOT_RUN.iter().any(|(line, _)| *line == first) {
            continue;
        }
        assert!(
            matches!(block.info.as_str(), "" | "sh" | "bash" | "shell"),
            "README.md: the ```{} block at line {} is not shell: list it in NOT_RUN with the \
             reason it is not run",
            block.info,
            block.line
        );
        run_session(&root, block);
        ran += 1;
    }
    assert!(ran > 0, "README.md has no tour: no block besides the first was run");
}

/// Runs one block in one `bash -e` session and checks it left nothing behind.
fn run_session(root: &Path, block: &Block) {
    // Removed when dropped, also when the test fails.
    let tmp = tempfile::Builder::new().prefix("archipel-readme-").tempdir().expect("tempdir");
    let work = tmp.path().canonicalize().expect("canonical tempdir");
    let tmpdir = work.join("tmp");
    std::fs::create_dir(&tmpdir).expect("create TMPDIR");
    let script = work.join("session.sh");
    std::fs::write(&script, block.lines.join("\n") + "\n").expect("write the session");
    let bin_dir = Path::new(BIN).parent().expect("the binary's directory");
    let path = match std::env::var_os("PATH") {
        Some(p) => std::env::join_paths(
            std::iter::once(bin_dir.to_owned()).chain(std::env::split_paths(&p)),
        )
        .expect("PATH"),
        None => bin_dir.as_os_str().to_owned(),
    };
    let transcript = work.join("transcript");
    let out = File::create(&transcript).expect("create the transcript");
    let mut cmd = Command::new("bash");
    // -v echoes each line as bash reads it: the transcript shows which command failed. Output
    // goes to a file, not a pipe: a daemon the session leaves running would hold a pipe open.
    cmd.args(["-e", "-v"])
        .arg(&script)
        .current_dir(root)
        .env("PATH", path)
        .env("TMPDIR", &tmpdir)
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("dup the transcript"))
        .stderr(out)
        // Its own process group, so that a session that hangs is killed whole.
        .process_group(0);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    let mut child = cmd.spawn().expect("start bash");
    let session = child.id();
    let deadline = Instant::now() + BLOCK_TIMEOUT;
    let status: Option<ExitStatus> = loop {
        if let Some(status) = child.try_wait().expect("wait for bash") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = run("kill", &["-KILL", "--", &format!("-{session}")]);
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };

    let mut problems = Vec::new();
    match status {
        Some(s) if s.success() => {}
        Some(s) => problems.push(format!("the session failed ({s})")),
        None => problems.push(format!("the session still ran after {BLOCK_TIMEOUT:?}")),
    }
    let processes = leftover_processes(session, &work);
    if !processes.is_empty() {
        problems.push(format!("processes left running: {processes:?}"));
        for pid in &processes {
            let _ = run("kill", &["-KILL", &pid.to_string()]);
        }
    }
    let popds = popds_configured(&tmpdir);
    if block.lines.iter().any(|l| l.contains("archipel popd ")) && popds.is_empty() {
        problems.push(format!(
            "the block starts a popd but no popd.toml is under TMPDIR ({}): the leftover \
             checks find the instance by it",
            tmpdir.display()
        ));
    }
    let created = networks_created(block);
    for popd in &popds {
        problems.extend(popd.leftovers(&created));
    }
    let transcript = std::fs::read_to_string(&transcript).unwrap_or_default();
    assert!(
        problems.is_empty(),
        "README.md's block at line {}:\n- {}\n--- transcript ---\n{transcript}",
        block.line,
        problems.join("\n- ")
    );
    println!("README.md's block at line {} ran:\n{transcript}", block.line);
}

/// Processes still in the session's process group, or naming the session's directory on their
/// command line (a daemon that moved to a group of its own).
fn leftover_processes(session: u32, work: &Path) -> Vec<u32> {
    let work = work.to_string_lossy().into_owned();
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("read /proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // Fields after the command's closing paren: state, ppid, pgrp, …
        let pgrp = stat.rsplit_once(')').and_then(|(_, after)| after.split_whitespace().nth(2));
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let in_group = pgrp == Some(session.to_string().as_str());
        if in_group || String::from_utf8_lossy(&cmdline).contains(&work) {
            pids.push(pid);
        }
    }
    pids
}

/// A popd the session configured: its instance name, data directory and default network.
#[derive(Debug)]
struct Popd {
    config: PathBuf,
    name: String,
    data_dir: PathBuf,
    default_network: String,
}

/// Every popd.toml up to two levels under `tmpdir` (the README's `mktemp -d` makes one level).
fn popds_configured(tmpdir: &Path) -> Vec<Popd> {
    let mut files = Vec::new();
    let mut dirs = vec![(tmpdir.to_owned(), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && depth < 2 {
                dirs.push((path, depth + 1));
            } else if path.file_name().is_some_and(|n| n == "popd.toml") {
                files.push(path);
            }
        }
    }
    files
        .into_iter()
        .map(|config| {
            let file = ConfigFile::load(&config).expect("the session's popd.toml");
            let mut settings = PopdConfig::default();
            file.apply(&mut settings);
            Popd {
                config,
                name: settings.name,
                data_dir: settings.data_dir,
                default_network: settings.default_network,
            }
        })
        .collect()
}

/// The networks a block creates: the word after each `network create`.
fn networks_created(block: &Block) -> Vec<String> {
    let mut names = Vec::new();
    for line in &block.lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        for w in words.windows(3) {
            if w[0] == "network" && w[1] == "create" {
                names.push(w[2].to_owned());
            }
        }
    }
    names
}

impl Popd {
    /// What this popd left in the kernel, removed once found.
    fn leftovers(&self, created: &[String]) -> Vec<String> {
        let mut problems = Vec::new();
        let prefix = native::netns_prefix(&self.name, &self.data_dir);
        let namespaces = native::namespaces(&prefix);
        if !namespaces.is_empty() {
            problems.push(format!("{}: container namespaces left: {namespaces:?}", self.which()));
            native::sweep(&prefix);
        }
        let networks = std::iter::once(&self.default_network).chain(created);
        let bridges: Vec<String> = networks.map(|n| bridge_name(&self.name, n)).collect();
        let rules =
            String::from_utf8_lossy(&run("iptables", &["-w", "-S", "FORWARD"]).stdout).into_owned();
        let left: Vec<&String> = bridges
            .iter()
            .filter(|b| {
                run("ip", &["link", "show", "dev", b]).status.success()
                    || rules.split_whitespace().any(|w| w == b.as_str())
            })
            .collect();
        if !left.is_empty() {
            problems.push(format!("{}: bridges or their rules left: {left:?}", self.which()));
            native::remove_bridges(&bridges);
        }
        problems
    }

    fn which(&self) -> String {
        format!("popd {} ({})", self.name, self.config.display())
    }
}

#[test]
fn blocks_are_found_with_their_lines() {
    let text = "intro\n```\na\nb\n```\ntext\n```toml\nx = 1\n```\n";
    let blocks = fenced_blocks(text);
    assert_eq!(blocks.len(), 2);
    assert_eq!((blocks[0].line, blocks[0].info.as_str()), (2, ""));
    assert_eq!(blocks[0].lines, ["a", "b"]);
    assert_eq!((blocks[1].line, blocks[1].info.as_str()), (7, "toml"));
    assert_eq!(blocks[1].lines, ["x = 1"]);
    assert_eq!(bridge_name("tour", "private"), "apbe82923876ca0");
}
