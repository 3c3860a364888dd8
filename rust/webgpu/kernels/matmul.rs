//! Batched matrix products (`shaders/matmul.wgsl`): workgroup-memory tiles with 4 x 4
//! register blocks, and vec4 loads for operands whose rows are contiguous and 4-aligned.

use super::{buffer, launch, shader, word};
use crate::error::{Error, Result};
use crate::tensor::{DType, Tensor};
use crate::webgpu::command_batch::Grid;
use crate::webgpu::context::context;
use crate::webgpu::element::GpuElement;

const TEMPLATE: &str = include_str!("../../../shaders/matmul.wgsl");
const TILE: usize = 64;

/// Whether `t`'s innermost dim (`inner` = its stride position) can be read as vec4s: unit
/// stride, and every other stride, the offset and the dim's length multiples of 4.
fn vec4_readable(t: &Tensor, inner: usize) -> bool {
    let s = t.strides();
    s[inner] == 1
        && t.shape()[inner] % 4 == 0
        && t.offset() % 4 == 0
        && (0..3).all(|d| d == inner || s[d] % 4 == 0 || t.shape()[d] == 1)
}

/// WGSL body of a loader returning 4 consecutive values along the last index.
/// `outer` is the bound on the first two indices' second one, `inner` on the last;
/// `p` is the first parameter word of the operand (offset, then 3 strides).
fn loader(
    name: &str,
    vec4: bool,
    t: &str,
    outer: u32,
    inner: u32,
    p: u32,
    args: [&str; 3],
) -> String {
    let [batch, i, j] = args;
    let base = format!(
        "param({p}u) + {batch} * param({}u) + {i} * param({}u)",
        p + 1,
        p + 2
    );
    if vec4 {
        format!(
            "if ({i} >= param({outer}u) || {j} >= param({inner}u)) {{ return vec4<{t}>({t}(0)); }}
    return {name}[({base} + {j}) / 4u];"
        )
    } else {
        format!(
            "var v = vec4<{t}>({t}(0));
    if ({i} < param({outer}u)) {{
        let base = {base};
        for (var q = 0u; q < 4u; q++) {{
            if ({j} + q < param({inner}u)) {{
                v[q] = {name}[base + ({j} + q) * param({}u)];
            }}
        }}
    }}
    return v;",
            p + 3
        )
    }
}

/// `out[b] = a[b] @ c[b]` for a (B, M, K), c (B, K, N) of any strides, out (B, M, N)
/// contiguous.
pub fn bmm_into(a: &Tensor, c: &Tensor, out: &Tensor) -> Result<()> {
    let (batch, m, k) = (a.shape()[0], a.shape()[1], a.shape()[2]);
    let n = c.shape()[2];
    if out.numel() == 0 {
        return Ok(());
    }
    if a.dtype() == DType::Bool {
        return Err(Error::runtime(
            "\"bmm\" not implemented for 'Bool' on webgpu",
        ));
    }
    let e = GpuElement::of(a.dtype())?;
    let max = context()?.info.limits.max_compute_workgroups_per_dimension as usize;
    if batch > max || m.div_ceil(TILE) > max || n.div_ceil(TILE) > max {
        return Err(Error::runtime(format!(
            "WebGPU: a product of {batch} x {m} x {n} needs more than {max} workgroups in one dimension"
        )));
    }
    let (a_vec4, c_vec4) = (vec4_readable(a, 2), vec4_readable(c, 2));
    let mut params = vec![0u32; 16];
    params[0] = word(m)?;
    params[1] = word(n)?;
    params[2] = word(k)?;
    params[4] = word(a.offset())?;
    params[8] = word(c.offset())?;
    for d in 0..3 {
        params[5 + d] = word(a.strides()[d])?;
        params[9 + d] = word(c.strides()[d])?;
    }
    let key = format!("matmul:{}:{a_vec4}:{c_vec4}", e.dtype.name());
    let source = || {
        let t = e.value;
        let decl = |binding: u32, name: &str, vec4: bool| {
            let ty = if vec4 {
                format!("vec4<{t}>")
            } else {
                t.to_string()
            };
            format!("@group(0) @binding({binding}) var<storage, read> {name}: array<{ty}>;\n")
        };
        let bindings = e.declare(1, "out", true) + &decl(2, "a", a_vec4) + &decl(3, "c", c_vec4);
        shader(
            TEMPLATE,
            &[
                ("BINDINGS", &bindings),
                ("T", t),
                (
                    "LOAD_A",
                    &loader("a", a_vec4, t, 0, 2, 4, ["batch", "row", "k"]),
                ),
                (
                    "LOAD_C",
                    &loader("c", c_vec4, t, 2, 1, 8, ["batch", "k", "col"]),
                ),
            ],
        )
    };
    let grid = Grid(
        n.div_ceil(TILE) as u32,
        m.div_ceil(TILE) as u32,
        batch as u32,
    );
    launch(
        &key,
        source,
        &params,
        &[buffer(out), buffer(a), buffer(c)],
        grid,
    )
}
