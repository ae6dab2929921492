//! This site's WireGuard: one device for all the encrypted services, with a peer for each site
//! that shares one of them; keys exchanged pairwise over East-West, replaced on rotation.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddrV4};

use super::Agent;
use crate::dataplane::{tunnel_mtu, underlay_mtu, Layer};
use crate::error::AgentError;
use crate::model::{KeyOffer, Service};
use crate::wireguard::{
    device_name, inner_address, inner_network, Device, Encryption, KeyPair, PeerConfig, PublicKey,
};

/// What the agent holds of WireGuard: its key pair (read on first use) and its peers' keys
/// and ports (asked again after a restart).
#[derive(Debug, Default)]
pub(super) struct WgState {
    key: Option<KeyPair>,
    peers: BTreeMap<String, (PublicKey, u16)>,
}

impl Agent {
    fn device(&self) -> Device {
        Device {
            name: device_name(&self.cfg.site, self.cfg.netns.as_deref()),
            netns: self.cfg.netns.clone(),
            exe: self.cfg.exe.clone(),
            dir: self.cfg.key_dir.clone(),
        }
    }

    fn encrypting(&self) -> Result<(), AgentError> {
        match self.cfg.encryption {
            Encryption::Wireguard => Ok(()),
            Encryption::None => Err(AgentError::EncryptionOff { site: self.cfg.site.clone() }),
        }
    }

    /// This site's key offer, the key pair read or made first.
    fn offer(&self, state: &mut WgState) -> Result<KeyOffer, AgentError> {
        let key = match state.key.take() {
            Some(key) => key,
            None => KeyPair::load_or_create(&self.cfg.key_dir)?,
        };
        let offer = KeyOffer { public_key: key.public().to_base64(), port: self.cfg.wg_port };
        state.key = Some(key);
        Ok(offer)
    }

    /// The ends of a service's VXLAN: this site's and the others' underlay addresses, or their
    /// inner addresses when the service is encrypted.
    pub(super) fn tunnel_ends(&self, service: &Service) -> (Ipv4Addr, Vec<Ipv4Addr>) {
        let site = self.cfg.site.as_str();
        let p = &service.params;
        let remotes = p.underlays.iter().filter(|(s, _)| *s != site).map(|(_, a)| *a);
        match p.encryption {
            Encryption::None => (self.cfg.underlay, remotes.collect()),
            Encryption::Wireguard => {
                (inner_address(self.cfg.underlay), remotes.map(inner_address).collect())
            }
        }
    }

    /// The layers this site's tunnels carry: VXLAN, inside WireGuard when it is on.
    pub(super) fn tunnel_layers(&self) -> &'static [Layer] {
        match self.cfg.encryption {
            Encryption::None => &[Layer::Vxlan],
            Encryption::Wireguard => &[Layer::WireGuardIpv4, Layer::Vxlan],
        }
    }

    /// Brings the device in line with the encrypted services stored (and `adding`, about to
    /// be): started (or adopted) with a peer for each other site of them, or stopped when
    /// there is none. Peer keys this agent lacks are asked for with its own.
    pub(super) async fn wg_converge(&self, adding: Option<&Service>) -> Result<(), AgentError> {
        if self.cfg.encryption == Encryption::None {
            return Ok(());
        }
        let sites = self.encrypted_peers(adding)?;
        let device = self.device();
        if sites.is_empty() {
            let _guard = self.wg.lock().await;
            if device.running().await {
                device.stop().await?;
            }
            return Ok(());
        }
        let (offer, missing) = {
            let mut state = self.wg.lock().await;
            let offer = self.offer(&mut state)?;
            let missing: Vec<String> =
                sites.iter().filter(|s| !state.peers.contains_key(*s)).cloned().collect();
            (offer, missing)
        };
        // Outside the lock: the peer may be asking this site at the same time.
        for site in missing {
            let theirs = self.peers.exchange_keys(&site, &offer).await?;
            let public = PublicKey::parse(&theirs.public_key)?;
            self.wg.lock().await.peers.insert(site, (public, theirs.port));
        }
        let state = self.wg.lock().await;
        let Some(key) = state.key.as_ref() else { return Ok(()) };
        if device.ensure(key, self.cfg.wg_port).await? {
            tracing::info!(device = %device.name, "WireGuard device started");
        }
        let ns = self.cfg.netns.as_deref();
        let nl = self.nl.as_ref();
        let mtu =
            tunnel_mtu(underlay_mtu(nl, ns, self.cfg.underlay).await?, &[Layer::WireGuardIpv4]);
        nl.set_mtu(ns, &device.name, mtu).await.map_err(crate::dataplane::DataplaneError::from)?;
        nl.ensure_address(ns, &device.name, inner_network(self.cfg.underlay))
            .await
            .map_err(crate::dataplane::DataplaneError::from)?;
        nl.set_up(ns, &device.name).await.map_err(crate::dataplane::DataplaneError::from)?;
        let configs: Vec<PeerConfig> = sites
            .iter()
            .filter_map(|site| {
                let (public, port) = state.peers.get(site)?;
                self.peer_config(site, *public, *port)
            })
            .collect();
        device.set_peers(&configs).await?;
        Ok(())
    }

    /// The other sites of the encrypted services stored (and `adding`).
    fn encrypted_peers(&self, adding: Option<&Service>) -> Result<BTreeSet<String>, AgentError> {
        let mut sites = BTreeSet::new();
        let stored = self.store.services()?;
        for s in stored.iter().chain(adding).filter(|s| s.params.encryption != Encryption::None) {
            sites.extend(self.remotes(s));
        }
        Ok(sites)
    }

    fn peer_config(&self, site: &str, public: PublicKey, port: u16) -> Option<PeerConfig> {
        let underlay = *self.cfg.peers.get(site)?;
        Some(PeerConfig {
            public,
            endpoint: SocketAddrV4::new(underlay, port),
            inner: inner_address(underlay),
        })
    }

    /// East-West: `caller` gives its key and port and gets this site's. A new key of a peer on
    /// the device replaces its old one there at once (a rotation).
    pub async fn accept_key(&self, caller: &str, theirs: KeyOffer) -> Result<KeyOffer, AgentError> {
        self.encrypting()?;
        let public = PublicKey::parse(&theirs.public_key)?;
        let mut state = self.wg.lock().await;
        let offer = self.offer(&mut state)?;
        let old = state.peers.insert(caller.to_owned(), (public, theirs.port));
        let device = self.device();
        if let Some((old, _)) = old.filter(|(old, _)| *old != public) {
            if device.running().await {
                if let Some(config) = self.peer_config(caller, public, theirs.port) {
                    device.replace_peer(old, &config).await?;
                    tracing::info!(site = caller, "a peer's WireGuard key was replaced");
                }
            }
        }
        Ok(offer)
    }

    /// North: a new key pair for this site, on its device at once and given to every site it
    /// shares an encrypted service with; answers the new public key.
    pub async fn rotate_key(&self) -> Result<KeyOffer, AgentError> {
        self.encrypting()?;
        let (offer, sites) = {
            let mut state = self.wg.lock().await;
            let key = KeyPair::generate(&self.cfg.key_dir)?;
            let device = self.device();
            if device.running().await {
                device.set_key(&key).await?;
            }
            state.key = Some(key);
            (self.offer(&mut state)?, self.encrypted_peers(None)?)
        };
        let device = self.device();
        for site in sites {
            let theirs = match self.peers.exchange_keys(&site, &offer).await {
                Ok(theirs) => theirs,
                Err(err) => {
                    tracing::warn!(site, error = %err, "a peer did not take the new WireGuard key");
                    continue;
                }
            };
            let public = PublicKey::parse(&theirs.public_key)?;
            let mut state = self.wg.lock().await;
            state.peers.insert(site.clone(), (public, theirs.port));
            // The handshake this site tried with its new key before the peer knew it waits
            // five seconds to be tried again; a peer made anew tries at the next packet.
            let config = self.peer_config(&site, public, theirs.port);
            if let (Some(config), true) = (config, device.running().await) {
                device.replace_peer(config.public, &config).await?;
            }
        }
        tracing::info!("the WireGuard key was rotated");
        Ok(offer)
    }
}
