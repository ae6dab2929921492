use archipel_netlink::iptables::{Firewall, Hook, Iptables, RuleSet, Table};
use archipel_netlink::Netlink;

use crate::common::{netlink, run, Namespaces};

fn words(rule: &str) -> Vec<String> {
    rule.split(' ').map(str::to_owned).collect()
}

fn guard(accepted: &[&str]) -> RuleSet {
    let mut rules: Vec<String> = accepted.iter().map(|a| format!("-s {a}/32 -j ACCEPT")).collect();
    rules.push("-j DROP".into());
    let matches = words("-p udp --dport 4789 -m u32 --u32 0>>22&0x3C@12>>8=1000");
    let hook = Hook { builtin: "INPUT".into(), matches };
    RuleSet { table: Table::Filter, chain: "ARCHIPEL-T1000".into(), hooks: vec![hook], rules }
}

fn rules(ns: &str, table: &str) -> String {
    run("ip", &["netns", "exec", ns, "iptables", "-t", table, "-S"])
}

#[tokio::test]
#[ignore = "needs root"]
async fn a_rule_set_is_made_replaced_and_removed_with_its_hook_in_the_namespace_only() {
    let names = Namespaces::new(&["fw"]);
    netlink().ensure_netns(names.name(0)).await.unwrap();
    let (ns, fw) = (names.ns(0), Iptables);

    fw.ensure(ns, &guard(&["192.0.2.2"])).await.unwrap();
    fw.ensure(ns, &guard(&["192.0.2.2", "192.0.2.3"])).await.unwrap();
    let listed = rules(names.name(0), "filter");
    assert_eq!(listed.matches("-j ARCHIPEL-T1000").count(), 1, "{listed}");
    assert!(listed.contains("-A INPUT -p udp -m udp --dport 4789 -m u32 --u32"), "{listed}");
    let chain: Vec<&str> = listed.lines().filter(|l| l.starts_with("-A ARCHIPEL-T1000")).collect();
    assert_eq!(
        chain,
        [
            "-A ARCHIPEL-T1000 -s 192.0.2.2/32 -j ACCEPT",
            "-A ARCHIPEL-T1000 -s 192.0.2.3/32 -j ACCEPT",
            "-A ARCHIPEL-T1000 -j DROP",
        ]
    );
    assert!(!run("iptables", &["-S"]).contains("ARCHIPEL-T1000"), "the host got the rules");

    let clamp = RuleSet {
        table: Table::Mangle,
        chain: "ARCHIPEL-M1000".into(),
        hooks: vec![Hook { builtin: "FORWARD".into(), matches: words("-o lo") }],
        rules: vec!["-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu".into()],
    };
    fw.ensure(ns, &clamp).await.unwrap();
    fw.ensure(ns, &clamp).await.unwrap();
    let mangle = rules(names.name(0), "mangle");
    assert_eq!(mangle.matches("-A FORWARD -o lo -j ARCHIPEL-M1000").count(), 1, "{mangle}");

    fw.remove(ns, Table::Filter, "ARCHIPEL-T1000").await.unwrap();
    fw.remove(ns, Table::Filter, "ARCHIPEL-T1000").await.unwrap();
    fw.remove(ns, Table::Mangle, "ARCHIPEL-M1000").await.unwrap();
    for table in ["filter", "mangle"] {
        assert!(!rules(names.name(0), table).contains("ARCHIPEL"), "{table} keeps rules");
    }
}
