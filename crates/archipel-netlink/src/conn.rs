//! A netlink connection bound to one namespace.

use futures::StreamExt;
use rtnetlink::packet_core::{NetlinkMessage, NetlinkPayload};
use rtnetlink::packet_route::RouteNetlinkMessage;
use rtnetlink::Handle;
use tokio::task::JoinHandle;

use crate::error::{NetlinkError, Result};
use crate::names::check_ns;
use crate::netns::in_netns_async;
use crate::types::{cmd, ns_label};

/// A route-netlink socket opened inside a namespace, driven on the tokio runtime.
///
/// A socket stays in the namespace it was created in, so it is created on a thread that entered
/// the namespace and then used from anywhere.
pub(crate) struct Conn {
    handle: Handle,
    ns: Option<String>,
    driver: JoinHandle<()>,
}

impl Conn {
    /// Opens a connection in `ns`; fails with [`NetlinkError::NetnsNotFound`] for a missing one.
    pub(crate) async fn open(ns: Option<&str>) -> Result<Self> {
        check_ns(ns)?;
        let runtime = tokio::runtime::Handle::current();
        let opened = in_netns_async(ns, move || {
            // The socket registers with the runtime's reactor when it is created.
            let _entered = runtime.enter();
            rtnetlink::new_connection()
        })
        .await?;
        let (connection, handle, _) = opened.map_err(|e| {
            NetlinkError::os(format!("open a netlink socket in {}", ns_label(ns)), e)
        })?;
        let driver = tokio::spawn(connection);
        Ok(Self { handle, ns: ns.map(str::to_owned), driver })
    }

    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }

    pub(crate) fn ns(&self) -> Option<&str> {
        self.ns.as_deref()
    }

    /// The `ip` command that acts in this namespace, followed by `rest`.
    pub(crate) fn ip(&self, rest: impl std::fmt::Display) -> String {
        format!("{} {rest}", cmd("ip", self.ns()))
    }

    /// The `bridge` command that acts in this namespace, followed by `rest`.
    pub(crate) fn bridge(&self, rest: impl std::fmt::Display) -> String {
        format!("{} {rest}", cmd("bridge", self.ns()))
    }

    /// How this namespace is named in errors.
    pub(crate) fn label(&self) -> String {
        ns_label(self.ns())
    }

    /// Sends a request that rtnetlink has no builder for and waits for its acknowledgement.
    pub(crate) async fn ack(
        &self,
        message: RouteNetlinkMessage,
        flags: u16,
    ) -> std::result::Result<(), rtnetlink::Error> {
        let mut request = NetlinkMessage::from(message);
        request.header.flags = flags;
        let mut responses = self.handle.clone().request(request)?;
        while let Some(response) = responses.next().await {
            if let NetlinkPayload::Error(err) = response.payload {
                if err.code.is_some() {
                    return Err(rtnetlink::Error::NetlinkError(err));
                }
            }
        }
        Ok(())
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}
