use super::state::matches;
use super::Pop;
use crate::error::PopError;
use crate::model::{
    now_unix, Flavour, PopContainer, PopInfo, PopNetwork, Selector, FLAVOUR_ID, FLAVOUR_NAME,
};
use crate::runtime::{ImageInfo, LogOutput, RuntimeError};

/// Info's type.
pub const POP_TYPE: &str = "archipel-popd";

impl Pop {
    pub fn info(&self) -> PopInfo {
        PopInfo { kind: POP_TYPE.into(), name: self.settings().name.clone(), timestamp: now_unix() }
    }

    /// The containers that match the filter (all without one), oldest first.
    pub fn containers(&self, filter: Option<&Selector>) -> Vec<PopContainer> {
        let st = self.lock();
        let mut list: Vec<_> = st
            .containers
            .values()
            .map(|s| &s.record)
            .filter(|c| matches(filter, c))
            .cloned()
            .collect();
        list.sort_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)));
        list
    }

    /// One container.
    pub fn container(&self, sel: &Selector) -> Result<PopContainer, PopError> {
        Ok(self.lock().container(sel)?.record.clone())
    }

    /// The built-in flavour and the configured ones that match the filter.
    pub fn flavours(&self, filter: Option<&Selector>) -> Vec<Flavour> {
        let builtin = Flavour { id: FLAVOUR_ID.into(), name: FLAVOUR_NAME.into() };
        let configured = self
            .settings()
            .flavours
            .iter()
            .map(|f| Flavour { id: f.name.clone(), name: f.name.clone() });
        std::iter::once(builtin)
            .chain(configured)
            .filter(|f| match filter {
                None => true,
                Some(Selector::Id(id)) => &f.id == id,
                Some(Selector::Name(name)) => &f.name == name,
            })
            .collect()
    }

    /// The runtime's images; a filter matches an id by prefix (with or without `sha256:`) or a
    /// name exactly (a name without a tag also matches its `:latest`).
    pub async fn images(&self, filter: Option<&Selector>) -> Result<Vec<ImageInfo>, PopError> {
        let images = self.inner().runtime.images().await?;
        Ok(images.into_iter().filter(|i| image_matches(filter, i)).collect())
    }

    /// The networks that match the filter (all without one), by name.
    pub fn networks(&self, filter: Option<&Selector>) -> Vec<PopNetwork> {
        let st = self.lock();
        let mut list: Vec<_> = st
            .networks
            .values()
            .map(|n| &n.record)
            .filter(|n| match filter {
                None => true,
                Some(Selector::Id(id)) => &n.id == id,
                Some(Selector::Name(name)) => &n.name == name,
            })
            .cloned()
            .collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    }

    /// The workload's output, the last `tail` lines if given, at most its last `max_bytes`.
    pub async fn logs(
        &self,
        sel: &Selector,
        tail: Option<u32>,
        max_bytes: usize,
    ) -> Result<LogOutput, PopError> {
        let (name, runtime_id) = {
            let st = self.lock();
            let record = &st.container(sel)?.record;
            (record.name.clone(), record.runtime_id.clone())
        };
        let Some(runtime_id) = runtime_id else {
            return Err(PopError::NeverRan { container: name });
        };
        match self.inner().runtime.logs(&runtime_id, tail, max_bytes).await {
            Err(RuntimeError::WorkloadNotFound(_)) => Err(PopError::OutputGone { container: name }),
            other => Ok(other?),
        }
    }
}

fn image_matches(filter: Option<&Selector>, image: &ImageInfo) -> bool {
    match filter {
        None => true,
        Some(Selector::Id(id)) => {
            !id.is_empty()
                && (image.id.starts_with(id.as_str())
                    || image.id.strip_prefix("sha256:").is_some_and(|h| h.starts_with(id.as_str())))
        }
        Some(Selector::Name(name)) => image.names.iter().any(|n| {
            n == name || (!name.contains(':') && n.strip_suffix(":latest") == Some(name.as_str()))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_filters() {
        let img = ImageInfo {
            id: "sha256:88e169ea8f46".into(),
            names: vec!["alpine:latest".into(), "sipp:3.6".into()],
            created: 0,
        };
        let id = |s: &str| Some(Selector::Id(s.into()));
        let name = |s: &str| Some(Selector::Name(s.into()));
        assert!(image_matches(None, &img));
        for yes in
            [id("88e1"), id("sha256:88e"), name("alpine"), name("alpine:latest"), name("sipp:3.6")]
        {
            assert!(image_matches(yes.as_ref(), &img), "{yes:?}");
        }
        for no in [id(""), id("99"), name("sipp"), name("alpine:3")] {
            assert!(!image_matches(no.as_ref(), &img), "{no:?}");
        }
    }
}
