//! Reverse-mode automatic differentiation: the graph arena, the nodes, the scheduler, grad
//! mode, and per-tensor metadata.

pub mod accumulate;
pub mod anomaly;
pub mod backward;
pub mod delayed_error;
pub mod engine;
pub mod grad_mode;
pub mod graph;
pub mod hooks;
pub mod inference;
pub mod meta;
pub mod node;
pub mod record;

pub use backward::{backward, grad};
pub use graph::{NodeId, NodeRef};
pub use meta::{AutogradMeta, GradFn};
pub use node::{Backward, BackwardCtx, Grads, SavedTensor};
pub use record::{is_recording, record, record_saving_input_and_output, save_if};
