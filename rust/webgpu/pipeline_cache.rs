//! Compiled compute pipelines, keyed by kernel and variant (op, dtypes, layout flavour).
//! A variant's WGSL is generated and compiled the first time it is dispatched; after that a
//! dispatch only looks it up.

use rustc_hash::FxHashMap;

use super::context::Context;
use super::ffi::{self, Handle};
use crate::error::{Error, Result};

/// A compute pipeline and the layout of its bind group 0.
#[derive(Copy, Clone)]
pub struct Pipeline {
    pub pipeline: Handle,
    pub layout: Handle,
}

#[derive(Default)]
pub struct PipelineCache {
    pipelines: FxHashMap<String, Pipeline>,
}

impl PipelineCache {
    /// The pipeline for `key`, compiling `source()` (entry point `main`) on first use.
    pub fn get(
        &mut self,
        ctx: &Context,
        key: &str,
        source: impl FnOnce() -> String,
    ) -> Result<Pipeline> {
        if let Some(p) = self.pipelines.get(key) {
            return Ok(*p);
        }
        let p = compile(ctx, key, &source())?;
        self.pipelines.insert(key.to_string(), p);
        Ok(p)
    }
}

/// Compiles `wgsl` (entry point `main`) into a pipeline with an automatic layout.
pub fn compile(ctx: &Context, key: &str, wgsl: &str) -> Result<Pipeline> {
    let api = &ctx.api;
    let source = ffi::ShaderSourceWgsl {
        chain: ffi::ChainedStruct {
            next: std::ptr::null(),
            s_type: ffi::S_TYPE_SHADER_SOURCE_WGSL,
        },
        code: ffi::StringView::new(wgsl),
    };
    let desc = ffi::ShaderModuleDescriptor {
        next_in_chain: &source.chain,
        label: ffi::StringView::new(key),
    };
    let what = format!("compiling kernel {key}");
    // SAFETY: descriptors point at locals that outlive the calls.
    let module = ctx.checked(&what, || unsafe {
        (api.wgpuDeviceCreateShaderModule)(ctx.device, &desc)
    })?;
    let pdesc = ffi::ComputePipelineDescriptor {
        next_in_chain: std::ptr::null(),
        label: ffi::StringView::new(key),
        layout: std::ptr::null_mut(),
        compute: ffi::ComputeState {
            next_in_chain: std::ptr::null(),
            module,
            entry_point: ffi::StringView::new("main"),
            constant_count: 0,
            constants: std::ptr::null(),
        },
    };
    let made = ctx.checked(&what, || unsafe {
        let pipeline = (api.wgpuDeviceCreateComputePipeline)(ctx.device, &pdesc);
        let layout = if pipeline.is_null() {
            std::ptr::null_mut()
        } else {
            (api.wgpuComputePipelineGetBindGroupLayout)(pipeline, 0)
        };
        (pipeline, layout)
    });
    // SAFETY: the pipeline holds its own reference to the module.
    unsafe { (api.wgpuShaderModuleRelease)(module) };
    let (pipeline, layout) = made?;
    if pipeline.is_null() || layout.is_null() {
        return Err(Error::runtime(format!("WebGPU: {what} failed")));
    }
    Ok(Pipeline { pipeline, layout })
}
