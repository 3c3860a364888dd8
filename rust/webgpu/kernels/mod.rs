//! Kernels by family. Each builds its WGSL variant from a template in `shaders/`, fills the
//! dispatch's parameter words, and records the dispatch into the open batch through
//! [`launch`].

pub mod activation;
pub mod conv;
pub mod elementwise;
pub mod float_math;
pub mod fused;
pub mod index;
pub mod indexed;
pub mod lookup;
pub mod math;
pub mod matmul;
pub mod norm;
pub mod pad;
pub mod pool;
pub mod random;
pub mod reduce;
pub mod scan;
pub mod softmax;
pub mod sort;

use super::buffer_pool::GpuBuffer;
use super::command_batch::Grid;
use super::context::context;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Dims a kernel's parameters can describe (after merging dims that walk as one).
pub const MAX_DIMS: usize = 8;

const COMMON: &str = include_str!("../../../shaders/common.wgsl");
const F64: &str = include_str!("../../../shaders/f64.wgsl");

/// A complete shader: the shared prelude, then `template` with each `{{NAME}}` replaced.
/// Variants that compute in f64 also get the f64 helpers (only they may: the helpers need
/// the device's shader-f64 feature).
pub fn shader(template: &str, fills: &[(&str, &str)]) -> String {
    let mut body = template.to_string();
    for (name, value) in fills {
        body = body.replace(&format!("{{{{{name}}}}}"), value);
    }
    let f64_helpers = if uses_f64(&body) { F64 } else { "" };
    format!("{COMMON}\n{f64_helpers}\n{body}")
}

/// Whether WGSL code (comments aside) names the f64 type.
fn uses_f64(code: &str) -> bool {
    code.lines()
        .any(|line| line.split("//").next().is_some_and(|c| c.contains("f64")))
}

/// The GPU buffer behind a WebGPU tensor.
pub fn buffer(t: &Tensor) -> &GpuBuffer {
    t.storage()
        .gpu_buffer()
        .expect("the backend dispatches only WebGPU tensors here")
}

/// `workgroups` laid out as a grid within the per-dimension limit (2-D past it).
pub fn grid(workgroups: u64, z: u32) -> Result<Grid> {
    let max = context()?.info.limits.max_compute_workgroups_per_dimension as u64;
    if workgroups <= max {
        return Ok(Grid(workgroups.max(1) as u32, 1, z));
    }
    let rows = workgroups.div_ceil(max);
    if rows > max {
        return Err(Error::runtime(format!(
            "WebGPU: {workgroups} workgroups exceed this device's grid ({max} x {max})"
        )));
    }
    Ok(Grid(max as u32, rows as u32, z))
}

/// Compiles (once) the variant `key` from `source` and records a dispatch of it.
pub fn launch(
    key: &str,
    source: impl FnOnce() -> String,
    params: &[u32],
    buffers: &[&GpuBuffer],
    grid: Grid,
) -> Result<()> {
    let ctx = context()?;
    let mut work = ctx.work();
    let work = &mut *work;
    let pipeline = work.pipelines.get(ctx, key, source)?;
    work.batch.dispatch(ctx, pipeline, params, buffers, grid)
}

/// Element counts and offsets must fit the kernels' 32-bit index arithmetic.
///
/// Within one buffer they always do: a binding covers at most
/// `max_storage_buffer_binding_size` bytes (under 4 GiB on Vulkan, whose range limit is a
/// 32-bit number), and WGSL indexes arrays with 32-bit integers anyway. Only broadcast
/// shapes can count more elements than memory holds (a reduction over an `expand`ed
/// tensor); they get this error. Going past it would mean binding sub-ranges of a buffer and
/// splitting the dispatch, which no tensor that fits a binding needs.
pub fn word(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        Error::runtime(format!(
            "WebGPU: {n} elements are more than the kernels' 32-bit indices address"
        ))
    })
}

/// Kernels of a family file that holds several: the file's preamble (the text before its
/// first `// @kernel` line), then each named section (from `// @kernel name` up to the next
/// such line) in order: one with an entry point, and any helper sections it needs.
pub fn sections(file: &str, names: &[&str]) -> String {
    let mut parts = file.split("// @kernel ");
    let mut out = parts.next().unwrap_or_default().to_string();
    let parts: Vec<&str> = parts.collect();
    for name in names {
        let body = parts
            .iter()
            .find_map(|p| p.strip_prefix(name).filter(|rest| rest.starts_with('\n')))
            .unwrap_or_else(|| panic!("shader section {name} is missing"));
        out += body;
    }
    out
}

/// Records a dispatch of the kernel `key` over `count` items, 256 per workgroup (grids past
/// the per-dimension limit fold into 2-D).
pub fn launch_items(
    key: &str,
    source: impl FnOnce() -> String,
    params: &[u32],
    buffers: &[&GpuBuffer],
    count: usize,
) -> Result<()> {
    if count == 0 {
        return Ok(());
    }
    launch(
        key,
        source,
        params,
        buffers,
        grid(count.div_ceil(256) as u64, 1)?,
    )
}
