use std::fmt;
use std::time::Duration;

/// Median, mean and standard error of a sample of durations, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub n: usize,
    pub median_ms: f64,
    pub mean_ms: f64,
    pub stderr_ms: f64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} ms (mean {:.1} ± {:.1})", self.median_ms, self.mean_ms, self.stderr_ms)
    }
}

pub fn summarize(samples: &[Duration]) -> Summary {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    // Sample counts are small: a u32 holds them, and an f64 holds any u32 exactly.
    let count = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    let median_ms = if n % 2 == 1 { ms[n / 2] } else { (ms[n / 2 - 1] + ms[n / 2]) / 2.0 };
    let mean_ms = ms.iter().sum::<f64>() / count(n);
    let var = ms.iter().map(|x| (x - mean_ms).powi(2)).sum::<f64>() / count(n.max(2) - 1);
    Summary { n, median_ms, mean_ms, stderr_ms: (var / count(n)).sqrt() }
}

/// Resident memory of a process, from /proc, in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A process's memory in MiB: resident, and proportional (each shared page divided among the
/// processes that map it), from `/proc/PID/smaps_rollup`; `anon` is the resident part that
/// maps no file (heap, stacks), the rest is the binary's and libraries' pages.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss: f64,
    pub pss: f64,
    pub anon: f64,
}

impl Memory {
    pub fn of(pid: u32) -> anyhow::Result<Self> {
        let path = format!("/proc/{pid}/smaps_rollup");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {path}: {e}"))?;
        Self::parse(&text).ok_or_else(|| anyhow::anyhow!("{path} has no Rss or Pss line"))
    }

    fn parse(text: &str) -> Option<Self> {
        let kib = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        };
        let mib = |key: &str| kib(key).map(|k| k / 1024.0);
        Some(Self { rss: mib("Rss")?, pss: mib("Pss")?, anon: mib("Anonymous")? })
    }
}

/// The CPU time a process's live threads have run, in nanoseconds: the first field of each
/// `/proc/PID/task/TID/schedstat` (the scheduler's own clock, not tick-sampled). A thread that
/// exits takes its time with it; the daemons' threads live long (Tokio's workers, and its
/// blocking threads for 10 s idle), so a delta over a short call is theirs.
pub fn cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return 0 };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_and_pss_from_smaps_rollup() {
        let text = "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  9216 kB\nPss:  5120 kB\n\
                    Pss_Anon:  4096 kB\nAnonymous:  3072 kB\n";
        let m = Memory::parse(text).unwrap();
        assert_eq!((m.rss, m.pss, m.anon), (9.0, 5.0, 3.0));
        assert!(Memory::parse("Rss: 1 kB\n").is_none());
        let me = Memory::of(std::process::id()).unwrap();
        assert!(me.rss > 0.0 && me.pss > 0.0 && me.pss <= me.rss, "{me:?}");
    }
}
