//! What the edge reads from a call's metadata: the session tokens and the deadline.

use std::time::Duration;

use tonic::metadata::MetadataMap;

/// The gRPC metadata key that carries the session token.
pub const TOKEN_KEY: &str = "token";

/// Every `token` value of the call (a client may send several).
pub fn tokens(meta: &MetadataMap) -> Vec<String> {
    meta.get_all(TOKEN_KEY).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
}

/// The call's deadline from its `grpc-timeout` header (`<digits><H|M|S|m|u|n>`).
pub fn deadline(meta: &MetadataMap) -> Option<Duration> {
    let text = meta.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// How long a stop may wait for the workload within a call's deadline: a margin (a tenth,
/// between 100 ms and 1 s) is kept so that the answer arrives before the deadline.
pub fn stop_timeout(meta: &MetadataMap) -> Option<Duration> {
    let deadline = deadline(meta)?;
    let margin = (deadline / 10).clamp(Duration::from_millis(100), Duration::from_secs(1));
    Some(deadline.saturating_sub(margin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(timeout: &str) -> MetadataMap {
        let mut m = MetadataMap::new();
        m.insert("grpc-timeout", timeout.parse().unwrap());
        m
    }

    #[test]
    fn parses_deadlines_and_keeps_a_margin() {
        assert_eq!(deadline(&meta("10S")), Some(Duration::from_secs(10)));
        assert_eq!(deadline(&meta("1500m")), Some(Duration::from_millis(1500)));
        assert_eq!(deadline(&meta("2M")), Some(Duration::from_secs(120)));
        assert_eq!(deadline(&meta("S")), None);
        assert_eq!(deadline(&meta("123456789S")), None);
        assert_eq!(deadline(&meta("5x")), None);
        assert_eq!(deadline(&MetadataMap::new()), None);
        assert_eq!(stop_timeout(&meta("10S")), Some(Duration::from_secs(9)));
        assert_eq!(stop_timeout(&meta("60S")), Some(Duration::from_secs(59)));
        assert_eq!(stop_timeout(&meta("500m")), Some(Duration::from_millis(400)));
        assert_eq!(stop_timeout(&meta("50m")), Some(Duration::ZERO));
    }

    #[test]
    fn reads_every_token() {
        let mut m = MetadataMap::new();
        m.append(TOKEN_KEY, "a".parse().unwrap());
        m.append(TOKEN_KEY, "b".parse().unwrap());
        assert_eq!(tokens(&m), vec!["a", "b"]);
    }
}
