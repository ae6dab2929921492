//! IPv4 routes of the main table.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use futures::TryStreamExt;
use ipnet::Ipv4Net;
use rtnetlink::packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use rtnetlink::packet_route::AddressFamily;
use rtnetlink::RouteMessageBuilder;

use crate::conn::Conn;
use crate::error::{errno, NetlinkError, Result};
use crate::link;
use crate::types::Route;

/// `ip route replace DEST [via VIA] [dev DEV]`.
pub(crate) async fn ensure(
    conn: &Conn,
    dest: Ipv4Net,
    via: Option<Ipv4Addr>,
    dev: Option<&str>,
) -> Result<()> {
    let dest = dest.trunc();
    if via.is_none() && dev.is_none() {
        return Err(NetlinkError::Invalid {
            what: "route",
            value: dest.to_string(),
            reason: "it needs a gateway or a device",
        });
    }
    let mut words = format!("route replace {dest}");
    let mut builder =
        RouteMessageBuilder::<Ipv4Addr>::new().destination_prefix(dest.addr(), dest.prefix_len());
    if let Some(via) = via {
        words.push_str(&format!(" via {via}"));
        builder = builder.gateway(via);
    } else {
        // A route without a gateway reaches its destination directly on the link.
        builder = builder.scope(RouteScope::Link);
    }
    if let Some(dev) = dev {
        words.push_str(&format!(" dev {dev}"));
        builder = builder.output_interface(link::require(conn, dev).await?.header.index);
    }
    conn.handle()
        .route()
        .add(builder.build())
        .replace()
        .execute()
        .await
        .map_err(|e| NetlinkError::rtnl(conn.ip(words), e))
}

/// `ip route del DEST`; a missing route is fine.
pub(crate) async fn delete(conn: &Conn, dest: Ipv4Net) -> Result<()> {
    let dest = dest.trunc();
    let mut message =
        RouteMessageBuilder::<Ipv4Addr>::new().destination_prefix(dest.addr(), dest.prefix_len());
    // As `ip route del`: match any scope, protocol and type.
    let header = &mut message.get_mut().header;
    header.scope = RouteScope::NoWhere;
    header.protocol = RouteProtocol::Unspec;
    header.kind = RouteType::Unspec;
    match conn.handle().route().del(message.build()).execute().await {
        Err(e) if errno(&e) != Some(libc::ESRCH) => {
            Err(NetlinkError::rtnl(conn.ip(format_args!("route del {dest}")), e))
        }
        _ => Ok(()),
    }
}

/// `ip -4 route show table main`, unicast routes only, sorted.
pub(crate) async fn list(conn: &Conn) -> Result<Vec<Route>> {
    let query = RouteMessageBuilder::<Ipv4Addr>::new().build();
    let all: Vec<RouteMessage> = conn
        .handle()
        .route()
        .get(query)
        .execute()
        .try_collect()
        .await
        .map_err(|e| NetlinkError::rtnl(conn.ip("-4 route show"), e))?;
    let names: HashMap<u32, String> = link::dump(conn)
        .await?
        .iter()
        .filter_map(|msg| Some((msg.header.index, link::name_of(msg)?.to_owned())))
        .collect();
    let mut routes: Vec<Route> = all
        .iter()
        .filter(|msg| {
            msg.header.address_family == AddressFamily::Inet
                && msg.header.kind == RouteType::Unicast
                && table_of(msg) == u32::from(RouteHeader::RT_TABLE_MAIN)
        })
        .filter_map(|msg| route_of(msg, &names))
        .collect();
    routes.sort();
    Ok(routes)
}

fn table_of(msg: &RouteMessage) -> u32 {
    msg.attributes
        .iter()
        .find_map(|attr| match attr {
            RouteAttribute::Table(table) => Some(*table),
            _ => None,
        })
        .unwrap_or(u32::from(msg.header.table))
}

fn route_of(msg: &RouteMessage, names: &HashMap<u32, String>) -> Option<Route> {
    let mut dest = Ipv4Addr::UNSPECIFIED;
    let mut via = None;
    let mut dev = None;
    for attr in &msg.attributes {
        match attr {
            RouteAttribute::Destination(RouteAddress::Inet(addr)) => dest = *addr,
            RouteAttribute::Gateway(RouteAddress::Inet(addr)) => via = Some(*addr),
            RouteAttribute::Oif(index) => dev = names.get(index).cloned(),
            _ => {}
        }
    }
    let dest = Ipv4Net::new(dest, msg.header.destination_prefix_length).ok()?;
    Some(Route { dest, via, dev })
}
