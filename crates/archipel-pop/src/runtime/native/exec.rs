//! Running a command inside a running workload: in its network namespace, under its image's
//! root filesystem when it has one, in its working directory, with the container's environment.

use std::process::Command;

use super::error::{failed, NativeError};
use super::image;
use super::inner::Inner;
use super::record::Status;
use super::spawn::exec_argv;
use crate::runtime::{ExecOutput, ExecSpec, RuntimeError};

impl Inner {
    /// Equals `ip netns exec NETNS env -i ENV… archipel container-enter --pid PID … -- ARGV…`
    /// (an image with a root filesystem) or `… nsenter --mount=/proc/PID/ns/mnt … -- ARGV…`,
    /// PID the workload's outermost process, in a process group of its own (see `spawn`).
    pub(super) async fn exec(
        &self,
        runtime_id: &str,
        spec: &ExecSpec,
    ) -> Result<ExecOutput, RuntimeError> {
        let not_running = || RuntimeError::WorkloadNotFound(runtime_id.to_owned());
        let record = self.entry(runtime_id).ok_or_else(not_running)?.record();
        let Some(process) = record.process.filter(|_| record.status == Status::Running) else {
            return Err(not_running());
        };
        let images = image::list(&self.images_dir).map_err(failed("list images"))?;
        let image = image::find(&images, &record.image)
            .ok_or_else(|| RuntimeError::ImageNotFound(record.image.clone()))?;
        let work = self.dir(runtime_id).work();
        let procs = if record.limits.is_unlimited() {
            Vec::new()
        } else {
            self.cgroups.dirs(runtime_id).iter().map(|d| d.join("cgroup.procs")).collect()
        };
        let helper = self.helper.as_deref();
        let argv = exec_argv(image, process.pid, &work, &spec.argv, helper, &procs)
            .map_err(failed("run a command in the workload"))?;
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| failed("run a command in the workload")(NativeError::EmptyCommand))?;
        let mut command = Command::new(program);
        command.args(args).env_clear().envs(&spec.env).current_dir(&work);
        self.host.run(runtime_id, command, spec.timeout, spec.max_bytes).await
    }
}
