//! The order VNFs start in, and the refusal of dependency cycles when the operator asks for
//! ordered start.
//!
//! Open Baton marks a cyclic NSD and starts it anyway unless its NFVO's ordered start is on
//! (off by default); so does Archipel. A cycle is no obstacle to configuration here: every
//! VNFC's address is known once all are allocated, before any is configured or started.

use std::collections::{BTreeSet, HashMap};

use super::error::{CatalogueError, Violation};
use super::model::{Nsd, Vnfd};

impl Nsd {
    /// The VNFDs in the order their VNFs start: every dependency's source before its target, and
    /// among VNFDs free to start, the one declared first. Where cycles leave none free, the
    /// first-declared VNFD on one of them starts next.
    pub fn dependency_order(&self) -> Vec<&Vnfd> {
        let edges = edges(self);
        let sorted = sort(self.vnfd.len(), &edges, true);
        sorted.order.iter().map(|&i| &self.vnfd[i]).collect()
    }

    /// Refuses a dependency cycle, as Open Baton does under ordered start, naming it from the
    /// source of its last-declared dependency, which is the path reported.
    pub fn check_acyclic(&self) -> Result<(), CatalogueError> {
        check_acyclic(self)
    }
}

fn check_acyclic(nsd: &Nsd) -> Result<(), CatalogueError> {
    let edges = edges(nsd);
    let sorted = sort(nsd.vnfd.len(), &edges, false);
    let Some(start) = sorted.placed.iter().position(|placed| !placed) else {
        return Ok(());
    };
    // Every unplaced VNFD has a source that is unplaced too, so walking back from one along such
    // dependencies must come round to a VNFD already met: that stretch of the walk is a cycle.
    let mut met_at = vec![None; nsd.vnfd.len()];
    let mut walk: Vec<&Edge> = Vec::new();
    let mut node = start;
    let from = loop {
        if let Some(at) = met_at[node] {
            break at;
        }
        met_at[node] = Some(walk.len());
        let edge = edges
            .iter()
            .find(|edge| edge.target == node && !sorted.placed[edge.source])
            .expect("an unplaced VNFD has an unplaced source");
        walk.push(edge);
        node = edge.source;
    };
    let mut cycle: Vec<&Edge> = walk[from..].iter().rev().copied().collect();
    let last = (0..cycle.len()).max_by_key(|&i| cycle[i].dependency).expect("a cycle has an edge");
    cycle.rotate_left(last);
    let mut names = vec![nsd.vnfd[cycle[0].source].name.clone()];
    names.extend(cycle.iter().map(|edge| nsd.vnfd[edge.target].name.clone()));
    let path = nsd.vnf_dependency[cycle[0].dependency].declared_at.clone();
    Err(CatalogueError::invalid(path, Violation::Cycle { cycle: names }))
}

/// A dependency between VNFD indices.
#[derive(Debug)]
struct Edge {
    dependency: usize,
    source: usize,
    target: usize,
}

fn edges(nsd: &Nsd) -> Vec<Edge> {
    let index: HashMap<&str, usize> =
        nsd.vnfd.iter().enumerate().map(|(i, vnfd)| (vnfd.name.as_str(), i)).collect();
    nsd.vnf_dependency
        .iter()
        .enumerate()
        .filter_map(|(dependency, d)| {
            Some(Edge {
                dependency,
                source: *index.get(d.source.as_str())?,
                target: *index.get(d.target.as_str())?,
            })
        })
        .collect()
}

struct Sorted {
    order: Vec<usize>,
    placed: Vec<bool>,
}

/// Kahn's algorithm, taking the lowest ready index first so the order is deterministic. VNFDs on
/// or behind a cycle stay unplaced, unless `break_cycles`: then, when none is ready, the lowest
/// index on a cycle of unplaced VNFDs is taken as if it were.
fn sort(count: usize, edges: &[Edge], break_cycles: bool) -> Sorted {
    let mut pending = vec![0usize; count];
    for edge in edges {
        pending[edge.target] += 1;
    }
    let mut ready: BTreeSet<usize> = (0..count).filter(|&i| pending[i] == 0).collect();
    let mut order = Vec::with_capacity(count);
    let mut placed = vec![false; count];
    loop {
        let node = match ready.pop_first() {
            Some(node) => node,
            None if break_cycles => match (0..count).find(|&n| on_cycle(n, edges, &placed)) {
                Some(node) => node,
                None => break,
            },
            None => break,
        };
        order.push(node);
        placed[node] = true;
        for edge in edges.iter().filter(|edge| edge.source == node) {
            pending[edge.target] = pending[edge.target].saturating_sub(1);
            if pending[edge.target] == 0 && !placed[edge.target] {
                ready.insert(edge.target);
            }
        }
    }
    Sorted { order, placed }
}

/// Whether `node` is unplaced and comes back to itself along edges between unplaced VNFDs.
fn on_cycle(node: usize, edges: &[Edge], placed: &[bool]) -> bool {
    if placed[node] {
        return false;
    }
    let mut seen = vec![false; placed.len()];
    let mut stack = vec![node];
    while let Some(at) = stack.pop() {
        for edge in edges.iter().filter(|e| e.source == at && !placed[e.target]) {
            if edge.target == node {
                return true;
            }
            if !seen[edge.target] {
                seen[edge.target] = true;
                stack.push(edge.target);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{VirtualLink, VnfDependency};

    fn nsd(names: &[&str], dependencies: &[(&str, &str)]) -> Nsd {
        let vnfd = names
            .iter()
            .map(|name| Vnfd {
                name: (*name).to_owned(),
                vnf_type: (*name).to_owned(),
                endpoint: "docker".to_owned(),
                vdu: Vec::new(),
                configurations: Vec::new(),
                virtual_link: Vec::new(),
                deployment_flavour: Vec::new(),
                lifecycle_event: Vec::new(),
                package: None,
                vendor: String::new(),
                version: String::new(),
            })
            .collect();
        let vnf_dependency = dependencies
            .iter()
            .enumerate()
            .map(|(i, (source, target))| VnfDependency {
                source: (*source).to_owned(),
                target: (*target).to_owned(),
                parameters: Vec::new(),
                declared_at: format!("vnf_dependency[{i}]"),
            })
            .collect();
        Nsd {
            name: "ns".to_owned(),
            vendor: "v".to_owned(),
            version: "1".to_owned(),
            vld: vec![VirtualLink { name: "private".to_owned() }],
            vnfd,
            vnf_dependency,
        }
    }

    fn order(nsd: &Nsd) -> Vec<&str> {
        nsd.dependency_order().into_iter().map(|vnfd| vnfd.name.as_str()).collect()
    }

    fn cycle_error(nsd: &Nsd) -> (String, String) {
        match check_acyclic(nsd) {
            Err(CatalogueError::Invalid {
                path,
                violation: violation @ Violation::Cycle { .. },
            }) => (path, violation.to_string()),
            other => panic!("expected a cycle, got {other:?}"),
        }
    }

    #[test]
    fn sources_start_before_targets() {
        let nsd = nsd(&["client", "server"], &[("server", "client")]);
        assert_eq!(order(&nsd), ["server", "client"]);
    }

    #[test]
    fn independent_vnfds_keep_document_order() {
        let nsd = nsd(&["c", "a", "b"], &[]);
        assert_eq!(order(&nsd), ["c", "a", "b"]);
    }

    #[test]
    fn chain_declared_backwards() {
        let nsd = nsd(&["web", "app", "db"], &[("app", "web"), ("db", "app")]);
        assert_eq!(order(&nsd), ["db", "app", "web"]);
    }

    #[test]
    fn diamond_breaks_ties_by_declaration() {
        let nsd = nsd(
            &["top", "right", "left", "bottom"],
            &[("bottom", "left"), ("bottom", "right"), ("left", "top"), ("right", "top")],
        );
        assert_eq!(order(&nsd), ["bottom", "right", "left", "top"]);
    }

    #[test]
    fn order_is_the_same_every_time() {
        let nsd = nsd(&["e", "d", "c", "b", "a"], &[("a", "e"), ("b", "d")]);
        let first = order(&nsd);
        assert_eq!(first, ["c", "b", "d", "a", "e"]);
        for _ in 0..10 {
            assert_eq!(order(&nsd), first);
        }
    }

    #[test]
    fn a_cycle_starts_from_its_first_declared_vnfd() {
        // free -> a <-> b -> after: the free one first, then the cycle broken at its
        // first-declared VNFD, `b`, then who is free: `after` (declared first), `a`.
        let nsd = nsd(
            &["after", "b", "a", "free"],
            &[("free", "a"), ("a", "b"), ("b", "a"), ("b", "after")],
        );
        assert_eq!(order(&nsd), ["free", "b", "after", "a"]);
        assert!(check_acyclic(&nsd).is_err());
    }

    #[test]
    fn acyclic_nsd_passes() {
        let nsd = nsd(&["a", "b", "c"], &[("a", "b"), ("b", "c"), ("a", "c")]);
        assert!(check_acyclic(&nsd).is_ok());
    }

    #[test]
    fn two_cycle_is_named_from_its_last_dependency() {
        let nsd = nsd(
            &["sipp-client", "sipp-server"],
            &[("sipp-server", "sipp-client"), ("sipp-client", "sipp-server")],
        );
        let (path, message) = cycle_error(&nsd);
        assert_eq!(path, "vnf_dependency[1]");
        assert_eq!(message, "dependency cycle sipp-client -> sipp-server -> sipp-client");
    }

    #[test]
    fn cycle_behind_a_free_vnfd_is_found() {
        let nsd = nsd(
            &["free", "a", "b", "c", "after"],
            &[("a", "b"), ("c", "a"), ("b", "c"), ("c", "after"), ("free", "a")],
        );
        let (path, message) = cycle_error(&nsd);
        assert_eq!(path, "vnf_dependency[2]");
        assert_eq!(message, "dependency cycle b -> c -> a -> b");
    }
}
