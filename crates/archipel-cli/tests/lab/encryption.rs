//! Issue 11's encryption: the sites of an inter-site service talk WireGuard on the underlay
//! (VXLAN runs inside it), the userspace device outlives a killed agent, a restarted agent
//! adopts it, a key rotation keeps a stream going, and the device goes with the last service
//! while the key stays.

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::capture::{holds, Capture};
use crate::harness::{text, wait_listening, Lab};

const PORT: &str = "9000";

/// An L2 extension between sites a and b of `lab`, with a container on each side.
fn extension(lab: &Lab, name: &str) -> (String, (Ipv4Addr, String), (Ipv4Addr, String)) {
    lab.network("a", "net", &lab.subnet.slash24(0));
    let args = ["intersite", "create", "--type", "l2", "--name", name];
    let service =
        lab.json("a", &[&args[..], &["--resource", "a:net", "--resource", "b:net"]].concat());
    let id = service["global_id"].as_str().expect("a global id").to_owned();
    (id, lab.container("a", "ca", "net"), lab.container("b", "cb", "net"))
}

/// Container a sends `payload` to container b over TCP while the underlay is captured in the
/// hub; returns the capture's bytes and its packets as `tcpdump -r` lists them.
fn send_captured(lab: &Lab, payload: &str) -> (Vec<u8>, String) {
    let (_, (_, a_ns), (b_addr, b_ns)) = extension(lab, "wire");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.pcap");
    let hub = Capture::start(Some(&lab.ctx.hub_netns), file.clone(), "udp");
    let server = Command::new("ip")
        .args(["netns", "exec", &b_ns, "busybox", "nc", "-l", "-p", PORT])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start nc -l");
    wait_listening(&b_ns, PORT.parse().unwrap());
    let mut client = Command::new("ip")
        .args(["netns", "exec", &a_ns, "busybox", "nc", &b_addr.to_string(), PORT])
        .stdin(Stdio::piped())
        .spawn()
        .expect("start nc");
    std::io::Write::write_all(client.stdin.as_mut().unwrap(), payload.as_bytes()).unwrap();
    drop(client.stdin.take());
    let received = server.wait_with_output().expect("nc -l ends");
    let _ = client.wait();
    assert_eq!(text(&received.stdout), payload, "container b did not get the payload");
    let bytes = hub.stop();
    (bytes, listing(&file))
}

fn listing(file: &Path) -> String {
    let out = Command::new("tcpdump").args(["-nn", "-r"]).arg(file).output().expect("tcpdump -r");
    text(&out.stdout)
}

#[test]
#[ignore = "needs root"]
fn an_encrypted_l2_extension_shows_only_wireguard_on_the_underlay() {
    let lab = Lab::up(2);
    let payload = format!("archipel-payload-{}", archipel_testkit::unique("p"));
    let (bytes, packets) = send_captured(&lab, &payload);
    assert!(!holds(&bytes, &payload), "the payload crossed the underlay in clear");
    assert!(packets.lines().count() > 0, "the capture saw nothing");
    for line in packets.lines() {
        assert!(
            line.contains(".51820 > ") && line.contains(".51820: UDP"),
            "not WireGuard: {line}"
        );
    }
    let devices: Vec<String> = ["a", "b"].iter().flat_map(|s| device_links(&lab, s)).collect();
    assert_eq!(devices.len(), 2, "a WireGuard device per site");
    lab.down();
    for device in devices {
        assert!(!socket(&device).exists(), "lab down left the socket of {device}");
    }
}

fn socket(device: &str) -> std::path::PathBuf {
    Path::new("/var/run/wireguard").join(format!("{device}.sock"))
}

#[test]
#[ignore = "needs root"]
fn a_plain_l2_extension_shows_the_payload_in_vxlan_on_the_underlay() {
    let lab = Lab::up_plain_vxlan(2);
    let payload = format!("archipel-payload-{}", archipel_testkit::unique("p"));
    let (bytes, packets) = send_captured(&lab, &payload);
    assert!(holds(&bytes, &payload), "the payload is not in the capture: {packets}");
    assert!(packets.contains(".4789: VXLAN"), "no VXLAN on the underlay: {packets}");
    lab.down();
}

/// The longest run of 100 ms intervals in which the stream carried nothing, in seconds.
fn longest_gap(report: &serde_json::Value) -> f64 {
    let (mut gap, mut longest) = (0.0_f64, 0.0_f64);
    for interval in report["intervals"].as_array().into_iter().flatten() {
        let sum = &interval["sum"];
        if sum["bytes"].as_u64().unwrap_or_default() == 0 {
            gap += sum["seconds"].as_f64().unwrap_or_default();
            longest = longest.max(gap);
        } else {
            gap = 0.0;
        }
    }
    longest
}

/// Waits until `at` after `start`.
fn at(start: Instant, secs: f64) {
    let when = start + Duration::from_secs_f64(secs);
    std::thread::sleep(when.saturating_duration_since(Instant::now()));
}

fn device_links(lab: &Lab, site: &str) -> Vec<String> {
    lab.links(site).into_iter().filter(|l| l.starts_with("awg")).collect()
}

#[test]
#[ignore = "needs root"]
fn an_encrypted_stream_survives_kill_9_restart_and_key_rotation_and_the_device_goes_with_the_service(
) {
    let lab = Lab::up(2);
    let (id, (_, a_ns), (b_addr, b_ns)) = extension(&lab, "keep");
    let devices = device_links(&lab, "a");
    assert_eq!(devices.len(), 1, "site a has no WireGuard device: {:?}", lab.links("a"));
    let mut server = Command::new("ip")
        .args(["netns", "exec", &b_ns, "iperf3", "-s", "-1"])
        .stdout(Stdio::null())
        .spawn()
        .expect("start iperf3 -s");
    wait_listening(&b_ns, 5201);
    let target = b_addr.to_string();
    let client = Command::new("ip")
        .args(["netns", "exec", &a_ns, "iperf3", "-c", &target, "-t", "10", "-i", "0.1", "-J"])
        // A stream that stalls for good fails instead of hanging the test.
        .args(["--snd-timeout", "20000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start iperf3 -c");
    let start = Instant::now();

    at(start, 2.0);
    let pid = lab.ctx.site("a").unwrap().agent_pid.expect("the agent's pid").to_string();
    assert!(Command::new("kill").args(["-9", &pid]).status().unwrap().success());
    at(start, 3.0);
    let restarted = lab.lab(&["restart-agent", "a"]);
    assert!(restarted.status.success(), "{}", text(&restarted.stderr));
    at(start, 6.0);
    let rotated = lab.cli("a", &["agent", "rotate-key"]);
    assert!(rotated.status.success(), "rotate-key: {}", text(&rotated.stderr));
    assert!(text(&rotated.stdout).starts_with("public key: "), "{}", text(&rotated.stdout));

    let flowed = client.wait_with_output().expect("the stream ends");
    let _ = server.kill();
    let _ = server.wait();
    let report: serde_json::Value = serde_json::from_slice(&flowed.stdout)
        .unwrap_or_else(|_| panic!("iperf3 -J said: {}", text(&flowed.stderr)));
    assert!(report.get("error").is_none(), "the stream broke: {}", report["error"]);
    let intervals = report["intervals"].as_array().expect("intervals");
    let tail = &intervals[intervals.len().saturating_sub(10)..];
    let late: u64 = tail.iter().map(|i| i["sum"]["bytes"].as_u64().unwrap_or_default()).sum();
    assert!(late > 0, "nothing flowed in the last second, after the rotation");
    println!("longest gap in the stream: {:.1} s", longest_gap(&report));

    // Site b made its network for the service: it goes with it once its container is gone.
    lab.json("b", &["pop", "rm", "cb"]);
    let removed = lab.cli("a", &["intersite", "rm", &id]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    for site in ["a", "b"] {
        assert_eq!(device_links(&lab, site), Vec::<String>::new(), "site {site} kept its device");
        let key = lab.ctx.site(site).unwrap().agent_data().join("wireguard.key");
        assert!(key.exists(), "site {site} lost its key");
    }
    assert!(!socket(&devices[0]).exists(), "the device's socket is left");
    lab.down();
}
