//! The tracing subscriber: logs on stderr, filtered by RUST_LOG.

use std::io::IsTerminal;

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// `level` is the default level (`info`, `warn`…) when RUST_LOG is unset.
pub fn init(format: LogFormat, level: &str) {
    // netlink-packet-route warns on every link dump of a kernel newer than itself (an attribute
    // grew); that says nothing to an operator.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},netlink_packet_route=error")));
    // Colours only for a person: a log file or a collector gets plain `key=value` fields.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
