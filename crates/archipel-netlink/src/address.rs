//! IPv4 addresses on links.

use std::collections::HashMap;
use std::net::IpAddr;

use futures::TryStreamExt;
use ipnet::Ipv4Net;
use rtnetlink::packet_route::address::{AddressAttribute, AddressMessage};
use rtnetlink::packet_route::AddressFamily;

use crate::conn::Conn;
use crate::error::{errno, NetlinkError, Result};
use crate::link;
use crate::types::Address;

/// `ip addr replace ADDR dev LINK`: adds the address, or refreshes it when present.
pub(crate) async fn ensure(conn: &Conn, link: &str, addr: Ipv4Net) -> Result<()> {
    let index = link::require(conn, link).await?.header.index;
    conn.handle()
        .address()
        .add(index, IpAddr::V4(addr.addr()), addr.prefix_len())
        .replace()
        .execute()
        .await
        .map_err(|e| NetlinkError::rtnl(conn.ip(format_args!("addr replace {addr} dev {link}")), e))
}

/// `ip addr del ADDR dev LINK`; a missing address or link is fine.
pub(crate) async fn delete(conn: &Conn, link: &str, addr: Ipv4Net) -> Result<()> {
    let Some(found) = link::get(conn, link).await? else { return Ok(()) };
    let index = found.header.index;
    let present = dump(conn, Some(index)).await?.into_iter().find(|msg| net_of(msg) == Some(addr));
    let Some(message) = present else { return Ok(()) };
    match conn.handle().address().del(message).execute().await {
        Err(e) if errno(&e) != Some(libc::EADDRNOTAVAIL) => {
            Err(NetlinkError::rtnl(conn.ip(format_args!("addr del {addr} dev {link}")), e))
        }
        _ => Ok(()),
    }
}

/// `ip -4 addr show [dev LINK]`.
pub(crate) async fn list(conn: &Conn, link: Option<&str>) -> Result<Vec<Address>> {
    let filter = match link {
        Some(name) => Some(link::require(conn, name).await?.header.index),
        None => None,
    };
    let names: HashMap<u32, String> = link::dump(conn)
        .await?
        .iter()
        .filter_map(|msg| Some((msg.header.index, link::name_of(msg)?.to_owned())))
        .collect();
    let mut addresses: Vec<Address> = dump(conn, filter)
        .await?
        .iter()
        .filter_map(|msg| {
            let link = names.get(&msg.header.index)?.clone();
            Some(Address { link, addr: net_of(msg)? })
        })
        .collect();
    addresses.sort();
    Ok(addresses)
}

async fn dump(conn: &Conn, index: Option<u32>) -> Result<Vec<AddressMessage>> {
    let mut request = conn.handle().address().get();
    if let Some(index) = index {
        request = request.set_link_index_filter(index);
    }
    let all: Vec<AddressMessage> = request
        .execute()
        .try_collect()
        .await
        .map_err(|e| NetlinkError::rtnl(conn.ip("-4 addr show"), e))?;
    Ok(all.into_iter().filter(|msg| msg.header.family == AddressFamily::Inet).collect())
}

/// The address with its prefix; IFA_LOCAL is the interface's own address on IPv4.
fn net_of(msg: &AddressMessage) -> Option<Ipv4Net> {
    let local = msg.attributes.iter().find_map(|attr| match attr {
        AddressAttribute::Local(IpAddr::V4(addr)) => Some(*addr),
        _ => None,
    });
    let address = msg.attributes.iter().find_map(|attr| match attr {
        AddressAttribute::Address(IpAddr::V4(addr)) => Some(*addr),
        _ => None,
    });
    Ipv4Net::new(local.or(address)?, msg.header.prefix_len).ok()
}
