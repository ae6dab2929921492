//! The all-zeros flood entries of VXLAN devices (head-end replication toward remote VTEPs).

use std::net::Ipv4Addr;

use futures::TryStreamExt;
use rtnetlink::packet_core::{NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_REQUEST};
use rtnetlink::packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourFlags, NeighbourMessage, NeighbourState,
};
use rtnetlink::packet_route::route::RouteType;
use rtnetlink::packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::conn::Conn;
use crate::error::{errno, NetlinkError, Result};
use crate::link::{self, expect_kind};
use crate::types::LinkKind;

const FLOOD_MAC: [u8; 6] = [0; 6];

/// `bridge fdb append 00:00:00:00:00:00 dev VXLAN dst REMOTE`; an entry already there is kept.
pub(crate) async fn add(conn: &Conn, vxlan: &str, remote: Ipv4Addr) -> Result<()> {
    let index = vxlan_index(conn, vxlan).await?;
    // Without NLM_F_EXCL the kernel accepts a remote it already has.
    let flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND;
    conn.ack(RouteNetlinkMessage::NewNeighbour(flood_entry(index, remote)), flags).await.map_err(
        |e| {
            let words = format!("fdb append 00:00:00:00:00:00 dev {vxlan} dst {remote}");
            NetlinkError::rtnl(conn.bridge(words), e)
        },
    )
}

/// `bridge fdb del 00:00:00:00:00:00 dev VXLAN dst REMOTE`; a missing entry or device is fine.
pub(crate) async fn delete(conn: &Conn, vxlan: &str, remote: Ipv4Addr) -> Result<()> {
    let Some(found) = link::get(conn, vxlan).await? else { return Ok(()) };
    expect_kind(conn, &found, LinkKind::Vxlan)?;
    let message = RouteNetlinkMessage::DelNeighbour(flood_entry(found.header.index, remote));
    match conn.ack(message, NLM_F_REQUEST | NLM_F_ACK).await {
        Err(e) if errno(&e) != Some(libc::ENOENT) => {
            let words = format!("fdb del 00:00:00:00:00:00 dev {vxlan} dst {remote}");
            Err(NetlinkError::rtnl(conn.bridge(words), e))
        }
        _ => Ok(()),
    }
}

/// The remotes of the flood entries of `bridge fdb show dev VXLAN`, sorted.
pub(crate) async fn list(conn: &Conn, vxlan: &str) -> Result<Vec<Ipv4Addr>> {
    let index = vxlan_index(conn, vxlan).await?;
    let mut request = conn.handle().neighbours().get();
    request.message_mut().header.family = AddressFamily::Bridge;
    let entries: Vec<NeighbourMessage> =
        request.execute().try_collect().await.map_err(|e| {
            NetlinkError::rtnl(conn.bridge(format_args!("fdb show dev {vxlan}")), e)
        })?;
    let mut remotes: Vec<Ipv4Addr> = entries
        .iter()
        .filter(|entry| entry.header.ifindex == index && lladdr_of(entry) == Some(&FLOOD_MAC[..]))
        .filter_map(remote_of)
        .collect();
    remotes.sort();
    remotes.dedup();
    Ok(remotes)
}

async fn vxlan_index(conn: &Conn, vxlan: &str) -> Result<u32> {
    let found = link::require(conn, vxlan).await?;
    expect_kind(conn, &found, LinkKind::Vxlan)?;
    Ok(found.header.index)
}

fn flood_entry(index: u32, remote: Ipv4Addr) -> NeighbourMessage {
    let mut message = NeighbourMessage::default();
    message.header.family = AddressFamily::Bridge;
    message.header.ifindex = index;
    message.header.state = NeighbourState::Permanent;
    message.header.flags = NeighbourFlags::Own;
    message.header.kind = RouteType::Unspec;
    message.attributes = vec![
        NeighbourAttribute::LinkLocalAddress(FLOOD_MAC.to_vec()),
        NeighbourAttribute::Destination(NeighbourAddress::Inet(remote)),
    ];
    message
}

fn lladdr_of(entry: &NeighbourMessage) -> Option<&[u8]> {
    entry.attributes.iter().find_map(|attr| match attr {
        NeighbourAttribute::LinkLocalAddress(bytes) => Some(bytes.as_slice()),
        _ => None,
    })
}

/// The remote VTEP; on bridge-family entries the parser leaves it as raw bytes.
fn remote_of(entry: &NeighbourMessage) -> Option<Ipv4Addr> {
    entry.attributes.iter().find_map(|attr| match attr {
        NeighbourAttribute::Destination(NeighbourAddress::Inet(addr)) => Some(*addr),
        NeighbourAttribute::Destination(NeighbourAddress::Other(bytes)) => {
            <[u8; 4]>::try_from(bytes.as_slice()).ok().map(Ipv4Addr::from)
        }
        _ => None,
    })
}
