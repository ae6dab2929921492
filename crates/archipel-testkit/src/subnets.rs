use std::fs;
use std::io::Write;
use std::net::Ipv4Addr;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

const LEASES: &str = "/tmp/archipel-test-subnets";
/// 10.128.0.0/9 in /20 blocks: 2048 of them.
const BLOCKS: u32 = 2048;

/// A /20 leased to this test alone, so that concurrent tests never create overlapping
/// networks (Docker refuses those). The lease is a file naming the owner's pid; a lease whose
/// owner died is taken over.
#[derive(Debug)]
pub struct TestSubnet {
    base: Ipv4Addr,
    lease: PathBuf,
}

impl TestSubnet {
    pub fn lease() -> Self {
        fs::create_dir_all(LEASES).expect("create subnet lease directory");
        // Shared like /tmp: whoever runs the tests, root or not, leases from the same blocks.
        // Only the directory's owner may set this; others find it already set.
        let _ = fs::set_permissions(LEASES, fs::Permissions::from_mode(0o1777));
        let start = std::process::id() % BLOCKS;
        let used = host_addresses();
        for i in 0..BLOCKS {
            let n = (start + i) % BLOCKS;
            // A block an interface of the host already uses (a bridge another run left) would
            // make a popd refuse its default network: skip it.
            if used.iter().any(|a| u32::from(*a) >> 12 == (0x0a80_0000 + (n << 12)) >> 12) {
                continue;
            }
            let lease = PathBuf::from(LEASES).join(n.to_string());
            if let Ok(mut f) = fs::OpenOptions::new().write(true).create_new(true).open(&lease) {
                writeln!(f, "{}", std::process::id()).expect("write lease");
                return Self { base: Ipv4Addr::from(0x0a80_0000 + (n << 12)), lease };
            }
            let owner = fs::read_to_string(&lease).unwrap_or_default();
            let alive = PathBuf::from(format!("/proc/{}", owner.trim())).exists();
            if !alive && fs::remove_file(&lease).is_ok() {
                if let Ok(mut f) = fs::OpenOptions::new().write(true).create_new(true).open(&lease)
                {
                    writeln!(f, "{}", std::process::id()).expect("write lease");
                    return Self { base: Ipv4Addr::from(0x0a80_0000 + (n << 12)), lease };
                }
            }
        }
        panic!("no free test subnet in 10.128.0.0/9: clean {LEASES}");
    }

    /// The /24 number `i` (0..16) of the leased /20, as `a.b.c.0/24`.
    pub fn slash24(&self, i: u32) -> String {
        assert!(i < 16, "a /20 holds 16 /24s");
        format!("{}/24", Ipv4Addr::from(u32::from(self.base) + (i << 8)))
    }

    /// The /22 number `i` (0..4) of the leased /20.
    pub fn slash22(&self, i: u32) -> String {
        assert!(i < 4, "a /20 holds 4 /22s");
        format!("{}/22", Ipv4Addr::from(u32::from(self.base) + (i << 10)))
    }
}

/// The IPv4 addresses of the host's own namespace.
fn host_addresses() -> Vec<Ipv4Addr> {
    let out = std::process::Command::new("ip").args(["-o", "-4", "addr", "show"]).output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_whitespace().skip_while(|w| *w != "inet").nth(1))
        .filter_map(|cidr| cidr.split('/').next()?.parse().ok())
        .collect()
}

impl Drop for TestSubnet {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.lease);
    }
}
