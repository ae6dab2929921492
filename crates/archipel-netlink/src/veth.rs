//! veth pairs whose two ends may live in different namespaces.

use std::os::fd::AsRawFd;

use rtnetlink::packet_route::link::{InfoData, InfoVeth, LinkMessage};
use rtnetlink::{LinkUnspec, LinkVeth};

use crate::conn::Conn;
use crate::error::{errno, NetlinkError, Result};
use crate::link::{self, expect_kind, lower_of};
use crate::names::check_link;
use crate::netns::open_netns;
use crate::types::LinkKind;

/// `ip link add NAME type veth peer name PEER netns PEER_NS`, adopting a complete pair,
/// finishing a pair whose peer was not moved yet, and replacing a pair that lost its peer.
pub(crate) async fn ensure(
    conn: &Conn,
    name: &str,
    peer: &str,
    peer_ns: Option<&str>,
) -> Result<()> {
    check_link(name)?;
    check_link(peer)?;
    let same_ns = conn.ns() == peer_ns;
    let other = if same_ns { None } else { Some(Conn::open(peer_ns).await?) };
    let peer_conn = other.as_ref().unwrap_or(conn);

    let here = link::get(conn, name).await?;
    let there = link::get(peer_conn, peer).await?;
    if let Some(found) = &here {
        expect_kind(conn, found, LinkKind::Veth)?;
    }
    if let Some(found) = &there {
        expect_kind(peer_conn, found, LinkKind::Veth)?;
    }
    match (&here, &there) {
        (Some(a), Some(b)) if paired(a, b) => return Ok(()),
        (Some(a), None) if !same_ns => {
            // Creation was interrupted before the peer left this namespace: move it now.
            if let Some(b) = link::get(conn, peer).await? {
                if paired(a, &b) {
                    return move_peer(conn, &b, peer, peer_ns).await;
                }
            }
        }
        _ => {}
    }
    // Whatever is left is a half or a stray pair (both veths): replace it.
    if here.is_some() {
        link::delete(conn, name).await?;
    }
    if there.is_some() {
        link::delete(peer_conn, peer).await?;
    }
    create(conn, name, peer, peer_ns, same_ns).await
}

async fn create(
    conn: &Conn,
    name: &str,
    peer: &str,
    peer_ns: Option<&str>,
    same_ns: bool,
) -> Result<()> {
    let target = if same_ns { None } else { Some(open_netns(peer_ns)?) };
    let mut peer_msg = LinkUnspec::new_with_name(peer);
    if let Some(file) = &target {
        // The kernel resolves this descriptor while handling the request, so `file` stays open
        // until the request is acknowledged.
        peer_msg = peer_msg.setns_by_fd(file.as_raw_fd());
    }
    let message = LinkVeth::new(name, peer)
        .set_info_data(InfoData::Veth(InfoVeth::Peer(peer_msg.build())))
        .build();
    // `netns 1` is how `ip` names the host's namespace (that of pid 1).
    let into = match (same_ns, peer_ns) {
        (true, _) => String::new(),
        (false, Some(ns)) => format!(" netns {ns}"),
        (false, None) => " netns 1".to_owned(),
    };
    let op = conn.ip(format_args!("link add {name} type veth peer name {peer}{into}"));
    let added = conn.handle().link().add(message).execute().await;
    drop(target);
    match added {
        Err(e) if errno(&e) != Some(libc::EEXIST) => Err(NetlinkError::rtnl(op, e)),
        _ => Ok(()),
    }
}

/// `ip link set PEER netns PEER_NS`.
async fn move_peer(
    conn: &Conn,
    msg: &LinkMessage,
    peer: &str,
    peer_ns: Option<&str>,
) -> Result<()> {
    let target = open_netns(peer_ns)?;
    let message = LinkUnspec::new_with_index(msg.header.index).setns_by_fd(target.as_raw_fd());
    let dest = match peer_ns {
        Some(ns) => ns.to_owned(),
        None => "1".to_owned(),
    };
    let moved = conn.handle().link().set(message.build()).execute().await;
    drop(target);
    moved.map_err(|e| NetlinkError::rtnl(conn.ip(format_args!("link set {peer} netns {dest}")), e))
}

/// Whether two veths are the two ends of one pair: each one's `IFLA_LINK` is the other's index.
fn paired(a: &LinkMessage, b: &LinkMessage) -> bool {
    lower_of(a) == Some(b.header.index) && lower_of(b) == Some(a.header.index)
}
