//! `pop md get|set`: a container's metadata, the environment its workload will get.

use std::collections::{BTreeMap, HashMap};

use archipel_pop_client::{Client, Filter};
use clap::{Args, Subcommand};

use super::Context;
use crate::output::{self, Format, OutputError};

/// Read or change a container's metadata (its workload's environment at start).
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pop md set sipp-client SERVER_PRIVATE=172.16.0.2 SIPP_RATE=10
  archipel pop md get sipp-client")]
pub struct MdArgs {
    #[command(subcommand)]
    command: MdCommand,
}

#[derive(Debug, Subcommand)]
enum MdCommand {
    /// Print the metadata as sorted `KEY: VALUE` lines.
    #[command(after_help = "Example:\n  archipel pop md get sipp-client-672086")]
    Get {
        /// A container name, or an id (tried when no container has that name).
        #[arg(value_name = "NAME|ID")]
        container: String,
    },
    /// Merge KEY=VALUE entries into a CREATED container's metadata; `KEY=` deletes KEY.
    /// Prints the metadata as it is then.
    #[command(after_help = "Example:\n  archipel pop md set web RATE=10 OLD_KEY=")]
    Set {
        /// A container name, or an id (tried when no container has that name).
        #[arg(value_name = "NAME|ID")]
        container: String,
        #[arg(value_name = "KEY=VALUE", required = true, value_parser = parse_entry)]
        entries: Vec<(String, String)>,
    },
}

/// A `KEY=VALUE` word (`KEY=` for an empty value).
pub(super) fn parse_entry(word: &str) -> Result<(String, String), String> {
    match word.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("'{word}' is not KEY=VALUE")),
    }
}

pub async fn run(ctx: &Context, args: MdArgs) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let container = match args.command {
        MdCommand::Get { container } => container,
        MdCommand::Set { container, entries } => {
            let entries: HashMap<_, _> = entries.into_iter().collect();
            client.metadata(&Filter::name_or_id(&container), entries).await?;
            container
        }
    };
    let metadata = metadata(&client, &container).await?;
    output::emit(render(ctx.output, &metadata)?)?;
    Ok(())
}

async fn metadata(client: &Client, container: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let container = client.container(&Filter::name_or_id(container)).await?;
    Ok(container.md.map(|md| md.entries.into_iter().collect()).unwrap_or_default())
}

/// YAML as the thesis prints it (`SIPP_RATE: 10`), a JSON object of strings, or a table.
fn render(format: Format, metadata: &BTreeMap<String, String>) -> Result<String, OutputError> {
    match format {
        Format::Yaml if metadata.is_empty() => Ok("{}\n".into()),
        Format::Yaml => Ok(metadata
            .iter()
            .map(|(k, v)| format!("{}: {}\n", output::yaml_scalar(k), output::yaml_scalar(v)))
            .collect()),
        Format::Json => output::render_document(format, metadata),
        Format::Table => {
            let rows: Vec<_> = metadata.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect();
            Ok(output::table(&["KEY", "VALUE"], &rows))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BTreeMap<String, String> {
        [("SIPP_RATE", "10"), ("SERVER_PRIVATE", "172.16.0.2"), ("NOTE", "a: b")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn yaml_is_sorted_key_value_lines() {
        assert_eq!(
            render(Format::Yaml, &sample()).unwrap(),
            "NOTE: \"a: b\"\nSERVER_PRIVATE: 172.16.0.2\nSIPP_RATE: 10\n"
        );
        assert_eq!(render(Format::Yaml, &BTreeMap::new()).unwrap(), "{}\n");
    }

    #[test]
    fn yaml_reads_back_as_the_same_entries() {
        let yaml = render(Format::Yaml, &sample()).unwrap();
        let back: BTreeMap<String, serde_yaml::Value> = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(back["NOTE"], serde_yaml::Value::from("a: b"));
        assert_eq!(back.len(), 3);
    }

    #[test]
    fn json_values_stay_strings() {
        let json: serde_json::Value =
            serde_json::from_str(&render(Format::Json, &sample()).unwrap()).unwrap();
        assert_eq!(json["SIPP_RATE"], "10");
    }

    #[test]
    fn an_empty_value_is_kept_to_delete_the_key() {
        assert_eq!(parse_entry("GONE="), Ok(("GONE".into(), String::new())));
        assert_eq!(parse_entry("A=b=c"), Ok(("A".into(), "b=c".into())));
        assert!(parse_entry("=x").is_err());
        assert!(parse_entry("NOEQUALS").is_err());
    }
}
