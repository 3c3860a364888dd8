//! The graph arena: every autograd node lives in one slot table, addressed by an index plus a
//! generation, and is reference counted by the tensors, edges and handles that point to it.
//!
//! When a node's count reaches zero it is freed at once. Freeing one node may free its inputs
//! in turn; that cascade runs as a loop over a per-thread worklist, never as recursion, so a
//! chain a million nodes deep is freed on a normal stack.

use std::cell::{Cell, RefCell};

use parking_lot::Mutex;

use super::node::Node;

/// Names a slot and the generation that lived there; a stale id no longer resolves.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    index: u32,
    generation: u32,
}

struct Slot {
    generation: u32,
    refs: u32,
    node: Option<Node>,
}

struct Arena {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

static ARENA: Mutex<Arena> = Mutex::new(Arena {
    slots: Vec::new(),
    free: Vec::new(),
});

impl Arena {
    fn insert(&mut self, node: Node) -> NodeId {
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.refs = 1;
            slot.node = Some(node);
            return NodeId {
                index,
                generation: slot.generation,
            };
        }
        let index = u32::try_from(self.slots.len()).expect("more than 2^32 live autograd nodes");
        self.slots.push(Slot {
            generation: 0,
            refs: 1,
            node: Some(node),
        });
        NodeId {
            index,
            generation: 0,
        }
    }

    fn slot(&mut self, id: NodeId) -> Option<&mut Slot> {
        self.slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation && s.node.is_some())
    }

    /// Drops one reference; hands back the node if that was the last one.
    fn decref(&mut self, id: NodeId) -> Option<Node> {
        let slot = self.slot(id)?;
        slot.refs -= 1;
        if slot.refs > 0 {
            return None;
        }
        let node = slot.node.take();
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(id.index);
        node
    }
}

/// A counted reference to a node: tensors' `grad_fn`, edges between nodes, Python handles.
pub struct NodeRef(NodeId);

impl NodeRef {
    /// Moves `node` into the arena.
    pub fn new(node: Node) -> NodeRef {
        NodeRef(ARENA.lock().insert(node))
    }

    /// A new counted reference to a node that is still alive.
    pub fn upgrade(id: NodeId) -> Option<NodeRef> {
        let mut arena = ARENA.lock();
        let slot = arena.slot(id)?;
        slot.refs += 1;
        Some(NodeRef(id))
    }

    pub fn id(&self) -> NodeId {
        self.0
    }

    /// The node's input edges, each with a new counted reference (`next_functions`).
    pub fn next_edges(&self) -> Vec<Option<super::node::Edge>> {
        let mut arena = ARENA.lock();
        let ids: Vec<Option<(NodeId, u32)>> = arena
            .slot(self.0)
            .and_then(|s| s.node.as_ref())
            .map(|n| {
                n.next
                    .iter()
                    .map(|e| e.as_ref().map(|e| (e.node.0, e.input_nr)))
                    .collect()
            })
            .unwrap_or_default();
        ids.into_iter()
            .map(|e| {
                let (id, input_nr) = e?;
                arena.slot(id)?.refs += 1;
                Some(super::node::Edge {
                    node: NodeRef(id),
                    input_nr,
                })
            })
            .collect()
    }

    /// Runs `f` on the node under the arena lock. `f` must not touch the graph itself (clone
    /// or drop a `NodeRef`, create or drop tensors that own one): the lock is not reentrant.
    pub fn with<R>(&self, f: impl FnOnce(&mut Node) -> R) -> R {
        with_node(self.0, f).expect("a NodeRef keeps its node alive")
    }
}

/// Runs `f` on a node if it is alive (see [`NodeRef::with`] for what `f` may do).
#[inline]
pub fn with_node<R>(id: NodeId, f: impl FnOnce(&mut Node) -> R) -> Option<R> {
    let mut arena = ARENA.lock();
    let node = arena.slot(id)?.node.as_mut()?;
    Some(f(node))
}

/// Whether a node id still names a live node (for weak references).
pub fn is_alive(id: NodeId) -> bool {
    ARENA.lock().slot(id).is_some()
}

impl Clone for NodeRef {
    fn clone(&self) -> Self {
        NodeRef::upgrade(self.0).expect("a NodeRef keeps its node alive")
    }
}

impl Drop for NodeRef {
    fn drop(&mut self) {
        release(self.0);
    }
}

impl PartialEq for NodeRef {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl std::fmt::Debug for NodeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeRef({:?})", self.0)
    }
}

thread_local! {
    /// References dropped while this thread is already freeing nodes.
    static PENDING: RefCell<Vec<NodeId>> = const { RefCell::new(Vec::new()) };
    static FREEING: Cell<bool> = const { Cell::new(false) };
}

/// Resets the freeing flag even if a destructor panics.
struct FreeingGuard;

impl Drop for FreeingGuard {
    fn drop(&mut self) {
        let _ = FREEING.try_with(|f| f.set(false));
    }
}

fn release(id: NodeId) {
    match FREEING.try_with(|f| f.get()) {
        Ok(true) => {
            PENDING.with(|p| p.borrow_mut().push(id));
            return;
        }
        Ok(false) => {}
        // Thread-local storage is being torn down: free directly (recursion is acceptable here,
        // it only happens at thread exit).
        Err(_) => {
            drop(ARENA.lock().decref(id));
            return;
        }
    }
    let Some(first) = ARENA.lock().decref(id) else {
        return;
    };
    FREEING.with(|f| f.set(true));
    let _guard = FreeingGuard;
    let mut dead = vec![first];
    loop {
        // Dropping nodes drops their edges and saved tensors, which only queue their
        // references in PENDING while FREEING is set.
        dead.clear();
        let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
        if pending.is_empty() {
            break;
        }
        let mut arena = ARENA.lock();
        dead.extend(pending.into_iter().filter_map(|id| arena.decref(id)));
    }
}

/// How many nodes are alive (for leak tests and diagnostics).
pub fn live_nodes() -> usize {
    let arena = ARENA.lock();
    arena.slots.len() - arena.free.len()
}

/// A node found by [`reachable`]: a counted reference (so it outlives the walk), its
/// scheduling key, where its gradients go, and its outputs' metadata.
pub struct Reached {
    pub node: NodeRef,
    pub seq: u64,
    pub next: smallvec::SmallVec<[Option<(NodeId, u32)>; 2]>,
    pub outputs: smallvec::SmallVec<[super::node::OutputMeta; 1]>,
}

/// Every node reachable from `roots` through input edges, found under one lock with an
/// explicit stack (no recursion on depth).
pub fn reachable(roots: &[NodeId]) -> Vec<Reached> {
    let mut arena = ARENA.lock();
    let mut seen = rustc_hash::FxHashSet::default();
    let mut stack: Vec<NodeId> = roots
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .collect();
    let mut found = Vec::new();
    while let Some(id) = stack.pop() {
        let Some(slot) = arena.slot(id) else { continue };
        slot.refs += 1;
        let node = slot.node.as_ref().expect("slot() only returns live slots");
        let next: smallvec::SmallVec<[Option<(NodeId, u32)>; 2]> = node
            .next
            .iter()
            .map(|e| e.as_ref().map(|e| (e.node.id(), e.input_nr)))
            .collect();
        for (child, _) in next.iter().flatten() {
            if seen.insert(*child) {
                stack.push(*child);
            }
        }
        found.push(Reached {
            node: NodeRef(id),
            seq: node.seq,
            next,
            outputs: node.outputs.clone(),
        });
    }
    found
}
