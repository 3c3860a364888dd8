//! Kernels written per item (an output element, a plane, a column) with named storage
//! bindings, for the families whose kernels index their operands themselves (pooling,
//! lookups, convolution unfolding). Operands are contiguous unless a kernel takes strides.

use super::{buffer, launch_items, sections, shader};
use crate::error::Result;
use crate::tensor::{DType, Tensor};
use crate::webgpu::element::GpuElement;

/// A storage binding: its WGSL name and the tensor bound. `windows` and `plan` hold u32
/// words; `idx`, `indices` and `targets` int64 indices; the rest elements of type `T`.
#[derive(Clone, Copy)]
pub struct Binding<'a>(pub &'static str, pub &'a Tensor);

/// Records `kernels` of the family `(name, file)` (an entry section and the helper sections it
/// needs) over `count` items, 256 to a workgroup; `out` are bindings 1.., then `inputs`. `T` is the storage
/// type of the first output's dtype, `I` the index type, `is_nan_t` the NaN test,
/// `index_param(k)` an index given as parameter words `k`, `k + 1`.
pub fn run_kernel(
    (family, file): (&str, &str),
    kernels: &[&str],
    params: &[u32],
    count: usize,
    out: &[Binding],
    inputs: &[Binding],
) -> Result<()> {
    let e = GpuElement::of(out[0].1.dtype())?;
    let index = GpuElement::of(DType::Int64)?;
    let all: Vec<(&Binding, bool)> = out
        .iter()
        .map(|b| (b, true))
        .chain(inputs.iter().map(|b| (b, false)))
        .collect();
    let key = format!("{family}:{}:{}", kernels.join("+"), e.dtype.name());
    let source = || {
        let mut bindings = format!("alias T = {};\nalias I = {};\n", e.storage, index.storage);
        let nan = match e.storage {
            "f32" => "is_nan_f32(v)",
            "f64" => "is_nan_f64(v)",
            _ => "false",
        };
        bindings += &format!("fn is_nan_t(v: T) -> bool {{ return {nan}; }}\n");
        bindings += &format!(
            "fn index_param(k: u32) -> I {{ return {}; }}\n",
            index.from_words("param(k)", "param(k + 1u)")
        );
        for (k, (Binding(name, _), writable)) in all.iter().enumerate() {
            let ty = match *name {
                "windows" | "plan" => "u32",
                "idx" | "indices" | "targets" => "I",
                _ => "T",
            };
            let access = if *writable { "read_write" } else { "read" };
            bindings += &format!(
                "@group(0) @binding({}) var<storage, {access}> {name}: array<{ty}>;\n",
                k + 1
            );
        }
        shader(&sections(file, kernels), &[("BINDINGS", &bindings)])
    };
    let buffers: Vec<_> = all.iter().map(|(b, _)| buffer(b.1)).collect();
    launch_items(&key, source, params, &buffers, count)
}
