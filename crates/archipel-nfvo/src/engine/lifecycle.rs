//! The generic VNFM's lifecycle scripts (Open Baton's `lifecycle_event`): each script of an
//! event runs inside a VNFC through the Pop's Exec, with `sh`, in the VNFC's environment plus
//! Open Baton's variables: `hostname` and one per virtual link holding the VNFC's address
//! (`$private`), and, at CONFIGURE, SCALE_OUT and SCALE_IN, the source instance's parameters
//! as `<type>_<parameter>` (`$server_private`). A script that fails fails its step.

use std::collections::BTreeMap;
use std::time::Duration;

use super::deps::{own_metadata, value, variable};
use super::run::Run;
use crate::model::{Failure, Step, VnfcInstance};
use crate::vim::ExecSpec;

/// Joins the script, given in 4 KiB arguments (an Exec argument's limit), and runs it in this
/// shell, so it needs no file in the container and no particular shell but `sh`.
const WRAPPER: &str = r#"IFS=; s="$*"; unset IFS; set --; eval "$s""#;
const CHUNK: usize = 4096;
/// How long one script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);
/// How much of a failed script's output its failure quotes.
const TAIL: usize = 400;

/// Whether VNF `vnf` has a script for any of `events`.
pub(super) fn has_scripts(run: &Run, vnf: &str, events: &[&str]) -> bool {
    run.nsd
        .vnfd_named(vnf)
        .is_some_and(|vnfd| events.iter().any(|event| vnfd.scripts(event).next().is_some()))
}

/// After VNF `vnf`'s instances `names` started: INSTANTIATE, CONFIGURE once per instance of
/// each of its dependencies' sources (with that instance's parameters), START.
pub(super) async fn bring_up(run: &mut Run, vnf: &str, names: &[&str]) -> Result<(), Failure> {
    if !has_scripts(run, vnf, &["INSTANTIATE", "CONFIGURE", "START"]) {
        return Ok(());
    }
    for name in names {
        event(run, vnf, name, "INSTANTIATE", &BTreeMap::new()).await?;
        for sources in sources_of(run, vnf) {
            event(run, vnf, name, "CONFIGURE", &sources).await?;
        }
        event(run, vnf, name, "START", &BTreeMap::new()).await?;
    }
    Ok(())
}

/// Tells the running targets of VNF `source` that its instances `changed` came (SCALE_OUT,
/// or CONFIGURE again when a target has no SCALE_OUT script) or went (SCALE_IN).
pub(super) async fn tell_targets(
    run: &mut Run,
    source: &str,
    changed: &[VnfcInstance],
    event_name: &str,
) -> Result<(), Failure> {
    let dependencies: Vec<(String, Vec<String>)> = run
        .nsd
        .vnf_dependency()
        .iter()
        .filter(|d| d.source == source)
        .map(|d| (d.target.clone(), d.parameters.clone()))
        .collect();
    for (target, parameters) in dependencies {
        let event_name = match event_name {
            "SCALE_OUT" if !has_scripts(run, &target, &["SCALE_OUT"]) => "CONFIGURE",
            other => other,
        };
        if !has_scripts(run, &target, &[event_name]) {
            continue;
        }
        let running: Vec<String> = run.nsr.vnfr(&target).map_or(Vec::new(), |vnfr| {
            vnfr.vnfcs
                .iter()
                .filter(|v| v.pop_status == "RUNNING")
                .map(|v| v.name.clone())
                .collect()
        });
        for instance in changed {
            let variables = source_variables(run, source, &parameters, instance);
            for name in &running {
                event(run, &target, name, event_name, &variables).await?;
            }
        }
    }
    Ok(())
}

/// Runs the scripts of `event_name` of VNF `vnf` in its instance `name`, in order, with
/// `extra` variables.
pub(super) async fn event(
    run: &mut Run,
    vnf: &str,
    name: &str,
    event_name: &str,
    extra: &BTreeMap<String, String>,
) -> Result<(), Failure> {
    let scripts: Vec<String> = run
        .nsd
        .vnfd_named(vnf)
        .map_or(Vec::new(), |vnfd| vnfd.scripts(event_name).map(str::to_owned).collect());
    if scripts.is_empty() {
        return Ok(());
    }
    let Some(vnfc) = run.nsr.vnfr(vnf).and_then(|r| r.vnfcs.iter().find(|v| v.name == name)) else {
        return Err(run.failure(format!("no VNFC instance {name} of VNF {vnf}")));
    };
    let site = vnfc.site.clone();
    let mut env = vnfc.metadata.clone();
    env.extend(own_metadata(vnfc));
    env.extend(own_variables(vnfc));
    env.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    let vim = run.vim(&site)?;
    for script in scripts {
        let Some(content) = run.scripts.get(vnf).and_then(|s| s.get(&script)) else {
            return Err(run.failure(format!("VNF {vnf}'s package has no script {script}")));
        };
        let spec = ExecSpec {
            command: command(&script, content),
            env: env.clone(),
            timeout: SCRIPT_TIMEOUT,
        };
        let at = format!("{event_name} script {script} in container {name} at site {site}");
        run.step(Step::Script, Some(at.clone()))?;
        let outcome = vim
            .exec(name, &spec)
            .await
            .map_err(|err| run.failure(format!("run the {at}: {}", err.reason())))?;
        tracing::debug!(op = %run.op.id, script = %script, event = event_name, container = name, exit_code = outcome.exit_code, "lifecycle script ran");
        if outcome.timed_out {
            return Err(run.failure(format!(
                "the {at} ran over {} s and was killed; its output ended: {}",
                SCRIPT_TIMEOUT.as_secs(),
                tail(&outcome.output)
            )));
        }
        if outcome.exit_code != 0 {
            return Err(run.failure(format!(
                "the {at} exited with {}; its output ended: {}",
                outcome.exit_code,
                tail(&outcome.output)
            )));
        }
    }
    Ok(())
}

/// `/bin/sh -c WRAPPER SCRIPT-NAME CHUNK…`: the script's name is its `$0`, as when run from a file.
fn command(script: &str, content: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(content);
    let mut command =
        vec!["/bin/sh".to_owned(), "-c".to_owned(), WRAPPER.to_owned(), script.to_owned()];
    let mut rest: &str = &text;
    while !rest.is_empty() {
        let mut end = rest.len().min(CHUNK);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        command.push(rest[..end].to_owned());
        rest = &rest[end..];
    }
    command
}

/// The last bytes of a script's output, on one line.
fn tail(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let text = text.trim_end();
    let mut start = text.len().saturating_sub(TAIL);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let tail = text[start..].replace('\n', " | ");
    if tail.is_empty() {
        "(nothing)".to_owned()
    } else {
        tail
    }
}

/// Open Baton's variables of a VNFC itself: `hostname`, and its address on each virtual link
/// under the link's name.
fn own_variables(vnfc: &VnfcInstance) -> BTreeMap<String, String> {
    let mut variables: BTreeMap<String, String> =
        vnfc.addresses.iter().map(|(link, address)| (variable(link), address.clone())).collect();
    variables.insert("hostname".to_owned(), vnfc.name.clone());
    variables
}

/// For each instance of each source of VNF `vnf`'s dependencies, its parameters as CONFIGURE
/// receives them.
fn sources_of(run: &Run, vnf: &str) -> Vec<BTreeMap<String, String>> {
    let mut all = Vec::new();
    for dependency in run.nsd.dependencies_of(vnf) {
        let Some(vnfr) = run.nsr.vnfr(&dependency.source) else { continue };
        let mut instances: Vec<&VnfcInstance> = vnfr.vnfcs.iter().collect();
        instances.sort_by_key(|v| v.index);
        for instance in instances {
            all.push(source_variables(run, &dependency.source, &dependency.parameters, instance));
        }
    }
    all
}

/// A source instance's parameters under Open Baton's names, `<source type>_<parameter>`.
fn source_variables(
    run: &Run,
    source: &str,
    parameters: &[String],
    instance: &VnfcInstance,
) -> BTreeMap<String, String> {
    let (Some(vnfd), Some(vnfr)) = (run.nsd.vnfd_named(source), run.nsr.vnfr(source)) else {
        return BTreeMap::new();
    };
    parameters
        .iter()
        .filter_map(|parameter| {
            let value = value(vnfd, vnfr, instance, parameter)?;
            Some((variable(&format!("{}_{parameter}", vnfd.vnf_type)), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_script_is_cut_into_arguments_on_character_boundaries() {
        let script = "é".repeat(3000);
        let command = command("s.sh", script.as_bytes());
        assert_eq!(&command[..4], ["/bin/sh", "-c", WRAPPER, "s.sh"]);
        assert!(command[4..].iter().all(|c| c.len() <= CHUNK));
        assert_eq!(command[4..].concat(), script);
    }

    #[test]
    fn the_tail_is_the_end_of_the_output_on_one_line() {
        assert_eq!(tail(b"a\nb\n"), "a | b");
        assert_eq!(tail(b""), "(nothing)");
        assert_eq!(tail(&[b'x'; 1000]).len(), TAIL);
    }
}
