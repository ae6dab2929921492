//! Running a command inside a running container: `docker exec`, its output collected until it
//! ends or its deadline.

use std::time::Duration;

use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::Docker;
use futures::StreamExt;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::container::not_found_or;
use super::failed;
use crate::runtime::{append_tail, ExecOutput, ExecSpec, RuntimeError};

/// How often the command is looked at: a process it left running in the background keeps the
/// output stream open, so its end is learnt from the engine, not from the stream.
const POLL: Duration = Duration::from_millis(100);
/// After the command ends, how long what it left running may still write to its output.
const GRACE: Duration = Duration::from_millis(100);
/// `128 + SIGKILL`: the code of a command killed at its deadline.
const KILLED: i32 = 137;
const OP: &str = "run a command in the container";

/// Equals `docker exec -e ENV… ID ARGV…`, killing the command (`kill -9` of its pid on this
/// host, where the engine runs) at the deadline.
pub(super) async fn exec(
    docker: &Docker,
    id: &str,
    spec: &ExecSpec,
) -> Result<ExecOutput, RuntimeError> {
    let env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let options = CreateExecOptions {
        cmd: Some(spec.argv.clone()),
        env: Some(env),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        ..Default::default()
    };
    let created = docker.create_exec(id, options).await.map_err(|e| not_found_or(e, id, OP))?;
    let start = StartExecOptions { detach: false, tty: false, output_capacity: None };
    let started = docker.start_exec(&created.id, Some(start)).await.map_err(failed(OP))?;
    let StartExecResults::Attached { mut output, .. } = started else {
        return Err(failed(OP)(bollard::errors::Error::DockerStreamError {
            error: "the engine detached the command".to_owned(),
        }));
    };
    let mut out = ExecOutput::default();
    let deadline = tokio::time::Instant::now() + spec.timeout;
    let mut poll = tokio::time::interval(POLL);
    loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                Some(Ok(chunk)) => append(&mut out, chunk.as_ref(), spec.max_bytes),
                Some(Err(_)) | None => break,
            },
            () = tokio::time::sleep_until(deadline) => {
                out.timed_out = true;
                if let Some(pid) = docker.inspect_exec(&created.id).await.ok().and_then(|i| i.pid) {
                    let pid = Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX));
                    let _ = kill(pid, Signal::SIGKILL);
                }
                break;
            }
            _ = poll.tick() => {
                let running = docker.inspect_exec(&created.id).await.ok().and_then(|i| i.running);
                if running == Some(false) {
                    let _ = tokio::time::timeout(GRACE, async {
                        while let Some(Ok(chunk)) = output.next().await {
                            append(&mut out, chunk.as_ref(), spec.max_bytes);
                        }
                    })
                    .await;
                    break;
                }
            }
        }
    }
    out.code = if out.timed_out {
        KILLED
    } else {
        let inspected = docker.inspect_exec(&created.id).await.map_err(failed(OP))?;
        inspected.exit_code.and_then(|c| i32::try_from(c).ok()).unwrap_or(KILLED)
    };
    Ok(out)
}

fn append(out: &mut ExecOutput, chunk: &[u8], max: usize) {
    out.truncated |= append_tail(&mut out.output, chunk, max);
}
