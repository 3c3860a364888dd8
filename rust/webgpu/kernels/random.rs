//! Random fills (`shaders/random.wgsl`): uniform, normal and integer draws from Philox.
//!
//! Each draw takes a fresh 64-bit key from the host generator, so `manual_seed` makes GPU
//! runs reproducible and consecutive draws independent. The values differ from the CPU
//! generator's (as PyTorch's CPU and CUDA streams differ).

use super::{buffer, float_math, grid, launch, shader, word};
use crate::cpu::random::Generator;
use crate::error::{Error, Result};
use crate::ops::kinds::Distribution;
use crate::tensor::{DType, Scalar, Tensor};
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
    let mut params = keyed_params(n, gen)?;
    let (name, value) = match (dist, out.dtype()) {
        (Distribution::Uniform, DType::Float64) => ("uniform", unit_f64("r.x", "r.y")),
        (Distribution::Uniform, _) => ("uniform", "unit_f32(r.x)".to_string()),
        (Distribution::Normal, DType::Float64) => (
            "normal",
            format!(
                "sqrt(-2.0 * f_log(1.0 - {})) * f_cos(6.283185307179586 * {})",
                unit_f64("r.x", "r.y"),
                unit_f64("r.z", "r.w")
            ),
        ),
        (Distribution::Normal, _) => (
            "normal",
            "sqrt(-2.0 * f_log(1.0 - unit_f32(r.x))) * f_cos(6.283185307179586 * unit_f32(r.y))"
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
    draw(out, name, &value, &params)
}

/// A dropout mask in `out` (floating, contiguous): `1 / (1 - p)` with probability `1 - p`,
/// else 0.
pub fn dropout_mask_into(out: &Tensor, p: f64, gen: &mut Generator) -> Result<()> {
    let e = GpuElement::of(out.dtype())?;
    let keep = 1.0 - p;
    let scale = if keep > 0.0 { 1.0 / keep } else { 0.0 };
    let mut params = keyed_params(out.numel(), gen)?;
    params[4..6].copy_from_slice(&e.words(Scalar::Float(keep))?);
    params[6..8].copy_from_slice(&e.words(Scalar::Float(scale))?);
    let unit = if e.value == "f64" {
        unit_f64("r.x", "r.y")
    } else {
        "unit_f32(r.x)".to_string()
    };
    let value = format!(
        "select(F(0), {}, {unit} < {})",
        e.from_words("param(6u)", "param(7u)"),
        e.from_words("param(4u)", "param(5u)")
    );
    draw(out, "dropout", &value, &params)
}

/// Parameter words for `n` draws under a fresh key from `gen` (words 4..8 left for the op).
fn keyed_params(n: usize, gen: &mut Generator) -> Result<Vec<u32>> {
    let key = gen.next_u64();
    Ok(vec![
        word(n)?,
        key as u32,
        (key >> 32) as u32,
        0,
        0,
        0,
        0,
        0,
    ])
}

/// Records the fill of `out` with `value` (WGSL made from the random words `r`).
fn draw(out: &Tensor, name: &str, value: &str, params: &[u32]) -> Result<()> {
    let n = out.numel();
    if n == 0 {
        return Ok(());
    }
    let e = GpuElement::of(out.dtype())?;
    let variant = format!("random:{name}:{}", e.dtype.name());
    let source = || {
        let math = if out.dtype().is_floating_point() {
            float_math::prelude(e.value)
        } else {
            String::new()
        };
        shader(
            TEMPLATE,
            &[
                ("BINDINGS", &(e.declare(1, "out", true) + &math)),
                ("STORE", &e.store("out", "i", value)),
            ],
        )
    };
    launch(
        &variant,
        source,
        params,
        &[buffer(out)],
        grid(n.div_ceil(256) as u64, 1)?,
    )
}
