//! Links: lookup, listing, bridges, up/down, MTU, master, deletion.

use std::collections::HashMap;

use futures::TryStreamExt;
use rtnetlink::packet_route::link::{
    InfoBridgePort, InfoKind, InfoPortData, InfoPortKind, LinkAttribute, LinkFlags,
    LinkInfo as NlLinkInfo, LinkMessage,
};
use rtnetlink::{LinkBridge, LinkUnspec};

use crate::conn::Conn;
use crate::error::{errno, NetlinkError, Result};
use crate::names::check_link;
use crate::types::{LinkInfo, LinkKind, LinkStats, MacAddr};

/// `ip link show NAME`, `None` when there is no such link.
pub(crate) async fn get(conn: &Conn, name: &str) -> Result<Option<LinkMessage>> {
    check_link(name)?;
    let mut request = conn.handle().link().get().match_name(name.to_owned()).execute();
    match request.try_next().await {
        Ok(found) => Ok(found),
        Err(e) if errno(&e) == Some(libc::ENODEV) => Ok(None),
        Err(e) => Err(NetlinkError::rtnl(conn.ip(format_args!("link show {name}")), e)),
    }
}

/// Like [`get`], but a missing link is an error.
pub(crate) async fn require(conn: &Conn, name: &str) -> Result<LinkMessage> {
    get(conn, name)
        .await?
        .ok_or_else(|| NetlinkError::LinkNotFound { ns: conn.label(), link: name.to_owned() })
}

/// Fails unless `msg` is a link of the `expected` kind.
pub(crate) fn expect_kind(conn: &Conn, msg: &LinkMessage, expected: LinkKind) -> Result<()> {
    let found = kind_of(msg);
    if found == expected {
        return Ok(());
    }
    let link = name_of(msg).unwrap_or_default().to_owned();
    Err(NetlinkError::KindMismatch { ns: conn.label(), link, expected, found })
}

/// `ip link show`: every link of the namespace.
pub(crate) async fn dump(conn: &Conn) -> Result<Vec<LinkMessage>> {
    conn.handle()
        .link()
        .get()
        .execute()
        .try_collect()
        .await
        .map_err(|e| NetlinkError::rtnl(conn.ip("link show"), e))
}

/// `ip -d link show NAME`, with its master's name resolved.
pub(crate) async fn lookup(conn: &Conn, name: &str) -> Result<Option<LinkInfo>> {
    let Some(msg) = get(conn, name).await? else { return Ok(None) };
    let mut names = HashMap::new();
    if let Some(master) = master_of(&msg) {
        let mut request = conn.handle().link().get().match_index(master).execute();
        if let Ok(Some(found)) = request.try_next().await {
            names.insert(master, name_of(&found).unwrap_or_default().to_owned());
        }
    }
    Ok(Some(info(&msg, &names)))
}

/// `ip -d link show`.
pub(crate) async fn list(conn: &Conn) -> Result<Vec<LinkInfo>> {
    let all = dump(conn).await?;
    let names: HashMap<u32, String> =
        all.iter().filter_map(|msg| Some((msg.header.index, name_of(msg)?.to_owned()))).collect();
    Ok(all.iter().map(|msg| info(msg, &names)).collect())
}

/// `ip link add NAME type bridge`, then `ip link set NAME mtu MTU` when asked.
pub(crate) async fn ensure_bridge(conn: &Conn, name: &str, mtu: Option<u32>) -> Result<()> {
    let existing = match get(conn, name).await? {
        Some(found) => found,
        None => {
            let op = conn.ip(format_args!("link add {name} type bridge"));
            let add = conn.handle().link().add(LinkBridge::new(name).build()).execute().await;
            match add {
                Err(e) if errno(&e) != Some(libc::EEXIST) => return Err(NetlinkError::rtnl(op, e)),
                _ => require(conn, name).await?,
            }
        }
    };
    expect_kind(conn, &existing, LinkKind::Bridge)?;
    match mtu {
        Some(mtu) if mtu_of(&existing) != Some(mtu) => set_mtu(conn, name, mtu).await,
        _ => Ok(()),
    }
}

/// `ip link set LINK up` or `ip link set LINK down`.
pub(crate) async fn set_state(conn: &Conn, link: &str, up: bool) -> Result<()> {
    let index = require(conn, link).await?.header.index;
    let builder = LinkUnspec::new_with_index(index);
    let (message, word) = if up { (builder.up(), "up") } else { (builder.down(), "down") };
    conn.handle()
        .link()
        .set(message.build())
        .execute()
        .await
        .map_err(|e| NetlinkError::rtnl(conn.ip(format_args!("link set {link} {word}")), e))
}

/// `ip link set LINK mtu MTU`.
pub(crate) async fn set_mtu(conn: &Conn, link: &str, mtu: u32) -> Result<()> {
    let index = require(conn, link).await?.header.index;
    conn.handle()
        .link()
        .set(LinkUnspec::new_with_index(index).mtu(mtu).build())
        .execute()
        .await
        .map_err(|e| NetlinkError::rtnl(conn.ip(format_args!("link set {link} mtu {mtu}")), e))
}

/// `ip link set LINK master MASTER`, or `ip link set LINK nomaster`.
pub(crate) async fn set_master(conn: &Conn, link: &str, master: Option<&str>) -> Result<()> {
    let index = require(conn, link).await?.header.index;
    let (builder, words) = match master {
        Some(master) => {
            let master_index = require(conn, master).await?.header.index;
            (LinkUnspec::new_with_index(index).controller(master_index), format!("master {master}"))
        }
        None => (LinkUnspec::new_with_index(index).nocontroller(), "nomaster".to_owned()),
    };
    conn.handle()
        .link()
        .set(builder.build())
        .execute()
        .await
        .map_err(|e| NetlinkError::rtnl(conn.ip(format_args!("link set {link} {words}")), e))
}

/// `bridge link set dev LINK neigh_suppress on|off`, sent as `ip link set LINK type
/// bridge_slave neigh_suppress on|off` does: a bridge port's settings travel in an
/// RTM_NEWLINK, which RTM_SETLINK does not read.
pub(crate) async fn set_neigh_suppress(conn: &Conn, link: &str, on: bool) -> Result<()> {
    let index = require(conn, link).await?.header.index;
    let message = LinkUnspec::new_with_index(index)
        .set_port_kind(InfoPortKind::Bridge)
        .set_port_data(InfoPortData::BridgePort(vec![InfoBridgePort::NeighSupress(on)]))
        .build();
    let words = if on { "on" } else { "off" };
    conn.handle().link().set_port(message).execute().await.map_err(|e| {
        NetlinkError::rtnl(
            conn.ip(format_args!("link set {link} type bridge_slave neigh_suppress {words}")),
            e,
        )
    })
}

/// `ip link del NAME`; a missing link is fine.
pub(crate) async fn delete(conn: &Conn, name: &str) -> Result<()> {
    let Some(found) = get(conn, name).await? else { return Ok(()) };
    match conn.handle().link().del(found.header.index).execute().await {
        Err(e) if errno(&e) != Some(libc::ENODEV) => {
            Err(NetlinkError::rtnl(conn.ip(format_args!("link del {name}")), e))
        }
        _ => Ok(()),
    }
}

/// `ip link del` of every virtual link (all but loopback and physical devices), so that veth
/// peers elsewhere are gone before the namespace is, not when the kernel gets to destroy it.
pub(crate) async fn delete_virtual(conn: &Conn) -> Result<()> {
    for msg in dump(conn).await? {
        if kind_of(&msg) == LinkKind::Device {
            continue;
        }
        match conn.handle().link().del(msg.header.index).execute().await {
            // The other end of a pair already went with the first.
            Err(e) if errno(&e) != Some(libc::ENODEV) => {
                let name = name_of(&msg).unwrap_or_default();
                return Err(NetlinkError::rtnl(conn.ip(format_args!("link del {name}")), e));
            }
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn name_of(msg: &LinkMessage) -> Option<&str> {
    msg.attributes.iter().find_map(|attr| match attr {
        LinkAttribute::IfName(name) => Some(name.as_str()),
        _ => None,
    })
}

pub(crate) fn mtu_of(msg: &LinkMessage) -> Option<u32> {
    msg.attributes.iter().find_map(|attr| match attr {
        LinkAttribute::Mtu(mtu) => Some(*mtu),
        _ => None,
    })
}

fn master_of(msg: &LinkMessage) -> Option<u32> {
    msg.attributes.iter().find_map(|attr| match attr {
        LinkAttribute::Controller(index) if *index != 0 => Some(*index),
        _ => None,
    })
}

/// The index of the peer (for a veth) or the lower device (for a tunnel), `IFLA_LINK`.
pub(crate) fn lower_of(msg: &LinkMessage) -> Option<u32> {
    msg.attributes.iter().find_map(|attr| match attr {
        LinkAttribute::Link(index) => Some(*index),
        _ => None,
    })
}

/// The `IFLA_LINKINFO` nested attributes of a link.
pub(crate) fn link_infos(msg: &LinkMessage) -> &[NlLinkInfo] {
    msg.attributes
        .iter()
        .find_map(|attr| match attr {
            LinkAttribute::LinkInfo(infos) => Some(infos.as_slice()),
            _ => None,
        })
        .unwrap_or_default()
}

pub(crate) fn kind_of(msg: &LinkMessage) -> LinkKind {
    let kind = link_infos(msg).iter().find_map(|info| match info {
        NlLinkInfo::Kind(kind) => Some(kind),
        _ => None,
    });
    match kind {
        None => LinkKind::Device,
        Some(InfoKind::Bridge) => LinkKind::Bridge,
        Some(InfoKind::Veth) => LinkKind::Veth,
        Some(InfoKind::Vxlan) => LinkKind::Vxlan,
        Some(other) => LinkKind::Other(other.to_string()),
    }
}

/// The counters of a link message (the 64-bit ones; zero when the kernel sent none).
pub(crate) fn stats(msg: &LinkMessage) -> LinkStats {
    msg.attributes
        .iter()
        .find_map(|attr| match attr {
            LinkAttribute::Stats64(s) => Some(LinkStats {
                rx_bytes: s.rx_bytes,
                tx_bytes: s.tx_bytes,
                rx_packets: s.rx_packets,
                tx_packets: s.tx_packets,
            }),
            _ => None,
        })
        .unwrap_or_default()
}

fn info(msg: &LinkMessage, names: &HashMap<u32, String>) -> LinkInfo {
    let mac = msg.attributes.iter().find_map(|attr| match attr {
        LinkAttribute::Address(bytes) => <[u8; 6]>::try_from(bytes.as_slice()).ok().map(MacAddr),
        _ => None,
    });
    LinkInfo {
        name: name_of(msg).unwrap_or_default().to_owned(),
        index: msg.header.index,
        kind: kind_of(msg),
        mtu: mtu_of(msg).unwrap_or_default(),
        up: msg.header.flags.contains(LinkFlags::Up),
        master: master_of(msg).and_then(|index| names.get(&index).cloned()),
        mac,
    }
}
