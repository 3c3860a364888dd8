//! The `Error` node: what `@once_differentiable` puts on the gradients its backward returns
//! under `create_graph`, so differentiating them again fails with a clear message instead of
//! silently giving wrong second derivatives.

use super::node::{Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};

pub struct DelayedError {
    pub message: String,
}

impl Backward for DelayedError {
    fn name(&self) -> &str {
        "Error"
    }

    fn backward(&self, _ctx: &BackwardCtx) -> Result<Grads> {
        Err(Error::runtime(self.message.clone()))
    }
}
