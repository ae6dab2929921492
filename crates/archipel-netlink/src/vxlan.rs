//! VXLAN devices.

use rtnetlink::packet_route::link::{InfoData, InfoVxlan, LinkInfo as NlLinkInfo, LinkMessage};
use rtnetlink::LinkVxlan;

use crate::conn::Conn;
use crate::error::{errno, NetlinkError, Result};
use crate::link::{self, expect_kind, link_infos, mtu_of};
use crate::names::check_link;
use crate::types::{LinkKind, VxlanConfig};

/// `ip link add NAME [mtu MTU] type vxlan id VNI local LOCAL [dev UNDERLAY] dstport PORT`.
///
/// A device with the same tunnel parameters is kept (its MTU corrected); one with other
/// parameters is replaced, since the kernel cannot change them in place.
pub(crate) async fn ensure(conn: &Conn, config: &VxlanConfig) -> Result<()> {
    let name = config.name.as_str();
    check_link(name)?;
    let underlay = match &config.underlay {
        Some(dev) => Some(link::require(conn, dev).await?.header.index),
        None => None,
    };
    if let Some(found) = link::get(conn, name).await? {
        expect_kind(conn, &found, LinkKind::Vxlan)?;
        if same_tunnel(&found, config, underlay) {
            return match config.mtu {
                Some(mtu) if mtu_of(&found) != Some(mtu) => link::set_mtu(conn, name, mtu).await,
                _ => Ok(()),
            };
        }
        tracing::info!(ns = %conn.label(), vxlan = name, "replacing a vxlan device whose tunnel differs");
        link::delete(conn, name).await?;
    }
    let mut builder = LinkVxlan::new(name, config.vni).local(config.local).port(config.port);
    let mut words = format!("link add {name} type vxlan id {} local {}", config.vni, config.local);
    if let (Some(index), Some(dev)) = (underlay, &config.underlay) {
        builder = builder.dev(index);
        words.push_str(&format!(" dev {dev}"));
    }
    words.push_str(&format!(" dstport {}", config.port));
    if let Some(mtu) = config.mtu {
        builder = builder.mtu(mtu);
        words.push_str(&format!(" mtu {mtu}"));
    }
    match conn.handle().link().add(builder.build()).execute().await {
        Err(e) if errno(&e) != Some(libc::EEXIST) => Err(NetlinkError::rtnl(conn.ip(words), e)),
        _ => Ok(()),
    }
}

/// Whether an existing device tunnels as `config` asks.
fn same_tunnel(msg: &LinkMessage, config: &VxlanConfig, underlay: Option<u32>) -> bool {
    let Some(infos) = link_infos(msg).iter().find_map(|info| match info {
        NlLinkInfo::Data(InfoData::Vxlan(infos)) => Some(infos),
        _ => None,
    }) else {
        return false;
    };
    let (mut vni, mut local, mut port, mut dev) = (None, None, None, None);
    for info in infos {
        match info {
            InfoVxlan::Id(id) => vni = Some(*id),
            InfoVxlan::Local(addr) => local = Some(*addr),
            InfoVxlan::Port(p) => port = Some(*p),
            InfoVxlan::Link(index) if *index != 0 => dev = Some(*index),
            _ => {}
        }
    }
    vni == Some(config.vni)
        && local == Some(config.local)
        && port == Some(config.port)
        && dev == underlay
}
