//! Probes of the data plane from inside the lab's namespaces: crafted VXLAN and marked UDP
//! datagrams (the host's python3), captures that wait for what they must see, and datagrams of
//! chosen sizes checked end to end.

use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::harness::text;

/// Sends, three times, a VXLAN packet of VNI `argv[2]` to `argv[1]`:4789 whose inner frame
/// is a broadcast IPv4/UDP datagram from `argv[3]` to `argv[4]`:4444 carrying `argv[5]`.
const VXLAN_SENDER: &str = r#"
import socket, struct, sys
dst, vni, src_ip, dst_ip, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5].encode()
def csum(b):
    s = sum(struct.unpack('!10H', b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
udp = struct.pack('!HHHH', 40000, 4444, 8 + len(marker), 0) + marker
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                 socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
frame = b'\xff' * 6 + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00' + ip + udp
vxlan = struct.pack('!II', 0x08000000, vni << 8)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(vxlan + frame, (dst, 4789))
"#;

/// Sends `argv[3]` to `argv[1]`:`argv[2]` over UDP three times.
const MARK_SENDER: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
"#;

/// Receives `argv[2]` datagrams on UDP port `argv[1]` (20 s at most for each), printing each
/// one's length and SHA-256 after a first line `ready`.
const RECEIVER: &str = r#"
import hashlib, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', int(sys.argv[1])))
s.settimeout(20)
print('ready', flush=True)
for _ in range(int(sys.argv[2])):
    data, _ = s.recvfrom(65535)
    print(len(data), hashlib.sha256(data).hexdigest(), flush=True)
"#;

/// Sends to `argv[1]`:`argv[2]` one datagram of random bytes per `SIZE:df|frag` argument,
/// with the don't-fragment bit (IP_PMTUDISC_DO) or fragmented by the sender
/// (IP_PMTUDISC_DONT), printing each one's length and SHA-256.
const SIZED_SENDER: &str = r#"
import hashlib, os, socket, sys
for spec in sys.argv[3:]:
    size, mode = spec.split(':')
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, 10, 2 if mode == 'df' else 0)
    data = os.urandom(int(size))
    s.sendto(data, (sys.argv[1], int(sys.argv[2])))
    print(len(data), hashlib.sha256(data).hexdigest(), flush=True)
"#;

fn python(ns: &str, script: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns, "python3", "-c", script]).args(args);
    cmd
}

fn must_run(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{what} failed: {}", text(&out.stderr));
    text(&out.stdout)
}

/// From namespace `ns`, a crafted VXLAN packet of `vni` to `to`, its inner datagram carrying
/// `marker`.
pub fn send_vxlan(ns: &str, to: Ipv4Addr, vni: u64, inner: (Ipv4Addr, Ipv4Addr), marker: &str) {
    let args = [&to.to_string(), &vni.to_string(), &inner.0.to_string(), &inner.1.to_string()];
    let cmd = python(ns, VXLAN_SENDER, &[args[0], args[1], args[2], args[3], marker]);
    must_run(cmd, "send a crafted vxlan packet");
}

/// From namespace `ns`, a UDP datagram carrying `marker` to `to`:4444.
pub fn send_mark(ns: &str, to: Ipv4Addr, marker: &str) {
    must_run(python(ns, MARK_SENDER, &[&to.to_string(), "4444", marker]), "send a datagram");
}

/// `tcpdump -A` on one link of a namespace, its lines read as they come.
pub struct Capture {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Capture {
    /// Starts capturing UDP to port 4444 on `link` of `ns`; returns once tcpdump listens.
    pub fn start(ns: &str, link: &str) -> Self {
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns, "tcpdump", "-i", link, "--immediate-mode", "-l", "-n"])
            .args(["-A", "udp", "port", "4444"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tcpdump");
        let (tx, lines) = mpsc::channel();
        for pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut capture = Self { child, lines, seen: Vec::new() };
        capture.wait_for("listening on");
        capture
    }

    /// Waits (30 s at most) for a line holding `wanted`.
    pub fn wait_for(&mut self, wanted: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.seen.iter().any(|l| l.contains(wanted)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("the capture never saw {wanted:?}: {:?}", self.seen),
            }
        }
    }

    /// Stops the capture; returns every line it saw.
    pub fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.seen.extend(self.lines.try_iter());
        self.seen
    }
}

/// The MTU of `eth0` in namespace `ns` (a container's interface).
pub fn container_mtu(ns: &str) -> u32 {
    let mut cmd = Command::new("ip");
    cmd.args(["-n", ns, "-o", "link", "show", "eth0"]);
    let out = must_run(cmd, "ip link show eth0");
    let mtu = out.split_whitespace().skip_while(|w| *w != "mtu").nth(1);
    mtu.and_then(|m| m.parse().ok()).unwrap_or_else(|| panic!("no mtu in {out}"))
}

/// A 1500-byte-payload datagram (fragmented by the sender) and the largest that fits `mtu`
/// with the don't-fragment bit go from namespace `from` to `to_addr` in namespace `to`, and
/// arrive whole: same lengths, same digests.
pub fn big_datagrams_cross(from: &str, to: &str, to_addr: Ipv4Addr, mtu: u32) {
    let mut receiver = python(to, RECEIVER, &["4445", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the receiver");
    let mut out = BufReader::new(receiver.stdout.take().unwrap());
    let mut ready = String::new();
    out.read_line(&mut ready).expect("the receiver's first line");
    assert_eq!(ready.trim(), "ready");
    let largest = format!("{}:df", mtu - 28);
    let sent = must_run(
        python(from, SIZED_SENDER, &[&to_addr.to_string(), "4445", "1500:frag", &largest]),
        "send the datagrams",
    );
    let mut received = String::new();
    std::io::Read::read_to_string(&mut out, &mut received).expect("the receiver's report");
    let status = receiver.wait_with_output().expect("the receiver ends");
    assert_eq!(received, sent, "datagrams were lost or changed: {}", text(&status.stderr));
}
