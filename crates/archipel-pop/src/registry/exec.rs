//! Exec: a command run inside a container's running workload.

use super::Pop;
use crate::error::PopError;
use crate::model::{ContainerState, ExecCommand, Selector};
use crate::runtime::{ExecOutput, ExecSpec, RuntimeError};

impl Pop {
    /// Runs a command in the container's running workload, with the container's metadata
    /// overlaid with the command's variables as its environment; at most the last `max_bytes`
    /// of its output are kept.
    pub async fn exec(
        &self,
        sel: &Selector,
        command: ExecCommand,
        max_bytes: usize,
    ) -> Result<ExecOutput, PopError> {
        let (name, runtime_id, mut env) = {
            let st = self.lock();
            let record = &st.container(sel)?.record;
            let not_running = || PopError::WrongState {
                container: record.name.clone(),
                state: record.state,
                rule: "a command runs only in a RUNNING container; start it first".to_owned(),
            };
            if record.state != ContainerState::Running {
                return Err(not_running());
            }
            let runtime_id = record.runtime_id.clone().ok_or_else(not_running)?;
            (record.name.clone(), runtime_id, record.metadata.clone())
        };
        env.extend(command.env);
        let spec = ExecSpec { argv: command.argv, env, timeout: command.timeout, max_bytes };
        match self.inner().runtime.exec(&runtime_id, &spec).await {
            Err(RuntimeError::WorkloadNotFound(_)) => Err(PopError::WrongState {
                container: name,
                state: ContainerState::Exited,
                rule: "its workload ended; start it again".to_owned(),
            }),
            other => Ok(other?),
        }
    }
}
