//! Random fills (`shaders/random.wgsl`): uniform, normal and integer draws from Philox.
//!
//! Each draw takes a fresh 64-bit key from the host generator, so `manual_seed` makes GPU
//! runs reproducible and consecutive draws independent. The values differ from the CPU
//! generator's (as PyTorch's CPU and CUDA streams differ).

use super::{buffer, grid, launch, shader, word};
use crate::cpu::random::Generator;
use crate::error::{Error, Result};
use crate::ops::kinds::Distribution;
use crate::tensor::{DType, Tensor};
use crate::webgpu::element::GpuElement;

const TEMPLATE: &str = include_str!("../../../shaders/random.wgsl");

/// WGSL: a uniform f64 in [0, 1) from 53 bits of words `hi`, `lo`.
fn unit_f64(hi: &str, lo: &str) -> String {
    format!("((f64({hi} >> 11u) * 4294967296.0 + f64({lo})) / 9007199254740992.0)")
}

/// Fills the contiguous tensor `out` with draws from `dist`.
pub fn sample_into(dist: Distribution, out: &Tensor, gen: &mut Generator) -> Result<()> {
    let n = out.numel();
    if n == 0 {
        return Ok(());
    }
    let e = GpuElement::of(out.dtype())?;
    let key = gen.next_u64();
    let mut params = vec![0u32; 8];
    params[0] = word(n)?;
    params[1] = key as u32;
    params[2] = (key >> 32) as u32;
    let (name, value) = match (dist, out.dtype()) {
        (Distribution::Uniform, DType::Float64) => ("uniform", unit_f64("r.x", "r.y")),
        (Distribution::Uniform, _) => ("uniform", "unit_f32(r.x)".to_string()),
        (Distribution::Normal, DType::Float64) => (
            "normal",
            format!(
                "sqrt(-2.0 * log64(1.0 - {})) * cos64(6.283185307179586 * {})",
                unit_f64("r.x", "r.y"),
                unit_f64("r.z", "r.w")
            ),
        ),
        (Distribution::Normal, _) => (
            "normal",
            "sqrt(-2.0 * log(1.0 - unit_f32(r.x))) * cos(6.283185307179586 * unit_f32(r.y))"
                .to_string(),
        ),
        (Distribution::Integers { low, high }, _) => {
            let span = (high as i128 - low as i128) as u128;
            params[4] = low as u32;
            params[5] = (low >> 32) as u32;
            params[6] = span as u32;
            params[7] = (span >> 32) as u32;
            let (int, expr) = if i32::try_from(low).is_ok() && i32::try_from(high - 1).is_ok() {
                (
                    DType::Int32,
                    "bitcast<i32>(bitcast<u32>(bitcast<i32>(param(4u))) + r.x % param(6u))"
                        .to_string(),
                )
            } else if GpuElement::of(DType::Int64)?.value == "i64" {
                (
                    DType::Int64,
                    "((i64(bitcast<i32>(param(5u))) << 32u) | i64(param(4u))) + ((i64(r.y & 0x7fffffffu) << 32u) | i64(r.x)) % ((i64(param(7u)) << 32u) | i64(param(6u)))"
                        .to_string(),
                )
            } else {
                return Err(Error::runtime(format!(
                    "WebGPU: randint over [{low}, {high}) needs 64-bit integers, which this adapter lacks (no shader-int64)"
                )));
            };
            let from = GpuElement::of(int)?;
            ("integers", e.convert_from(&from, &expr))
        }
    };
    let variant = format!("random:{name}:{}", e.dtype.name());
    let source = || {
        shader(
            TEMPLATE,
            &[
                ("BINDINGS", &e.declare(1, "out", true)),
                ("STORE", &e.store("out", "i", &value)),
            ],
        )
    };
    launch(
        &variant,
        source,
        &params,
        &[buffer(out)],
        grid(n.div_ceil(256) as u64, 1)?,
    )
}
