//! Convolutions: `conv1d`, `conv2d` and `conv_transpose2d`, with PyTorch's checks and
//! messages.
//!
//! A convolution `y = conv(x, w)` is bilinear, and so are its two gradients: the input
//! gradient (a transposed convolution of `gy` with `w`) and the weight gradient (a
//! correlation of `x` with `gy`). The three products are the [`ConvForm`]s; the backward of
//! each is made of the other two, so gradients of any order stay convolutions. A transposed
//! convolution is the input-gradient form run forward. A 1-D convolution is a 2-D one with
//! a height of 1.

use smallvec::smallvec;

use super::backend;
use super::reduce::sum_dims;
use super::view::{squeeze, unsqueeze};
use crate::autograd::{is_recording, record, save_if, Backward, BackwardCtx, Grads};
use crate::error::{Error, Result};
use crate::tensor::{shape_str, Layout, Tensor};

/// Which product of a convolution to compute.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConvForm {
    /// `(x, w) -> y`.
    Forward,
    /// `(gy, w) -> gx`: also the transposed convolution.
    InputGrad,
    /// `(x, gy) -> gw`.
    WeightGrad,
}

/// Everything a 2-D convolution kernel needs besides the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    pub batch: usize,
    pub in_channels: usize,
    pub out_channels: usize,
    pub groups: usize,
    /// Spatial size of the input (height, width).
    pub input: [usize; 2],
    /// Spatial size of the output.
    pub output: [usize; 2],
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    /// Zeros before the first input element; how many follow the last is implied by
    /// `output` (so asymmetric `padding="same"` needs no copy of the input).
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
}

impl ConvGeometry {
    /// The shape of what `form` produces.
    pub fn shape_of(&self, form: ConvForm) -> [usize; 4] {
        match form {
            ConvForm::Forward => [
                self.batch,
                self.out_channels,
                self.output[0],
                self.output[1],
            ],
            ConvForm::InputGrad => [self.batch, self.in_channels, self.input[0], self.input[1]],
            ConvForm::WeightGrad => [
                self.out_channels,
                self.in_channels / self.groups,
                self.kernel[0],
                self.kernel[1],
            ],
        }
    }
}

/// `padding=` as given: sizes, or PyTorch's `"same"` / `"valid"`.
#[derive(Clone, Debug)]
pub enum ConvPadding {
    Explicit(Vec<i64>),
    Same,
    Valid,
}

/// The arguments of a convolution call besides its tensors. Lists hold one entry per
/// spatial dim of the function called (`[s]` for conv1d, `[sh, sw]` for conv2d).
#[derive(Clone, Debug)]
pub struct ConvOptions {
    pub stride: Vec<i64>,
    pub padding: ConvPadding,
    pub dilation: Vec<i64>,
    pub groups: i64,
    pub transposed: bool,
    pub output_padding: Vec<i64>,
}

/// `conv1d`, `conv2d` or `conv_transpose2d` (`name`, for messages), with `spatial` = 1 or 2
/// spatial dims, on batched or unbatched input.
pub fn convolution(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    opts: &ConvOptions,
    name: &str,
    spatial: usize,
) -> Result<Tensor> {
    if input.ndim() != spatial + 1 && input.ndim() != spatial + 2 {
        return Err(Error::runtime(format!(
            "Expected {}D (unbatched) or {}D (batched) input to {name}, but got input of size: {}",
            spatial + 1,
            spatial + 2,
            shape_str(input.shape())
        )));
    }
    if input.ndim() == spatial + 1 {
        let out = batched(&unsqueeze(input, 0)?, weight, bias, opts)?;
        return squeeze(&out, Some(0));
    }
    batched(input, weight, bias, opts)
}

fn batched(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    opts: &ConvOptions,
) -> Result<Tensor> {
    let geom = check(input, weight, bias, opts)?;
    let form = if opts.transposed {
        ConvForm::InputGrad
    } else {
        ConvForm::Forward
    };
    let out = run(form, input, weight, &geom)?;
    if let Some(b) = bias {
        let mut shape = vec![1; out.ndim()];
        shape[1] = b.numel();
        let b = b.with_layout(
            b.layout()
                .view(&shape)
                .expect("a 1-D bias views as [1, C, 1..]"),
        );
        backend::binary_into(super::kinds::BinaryOp::Add, &out, &b, &out)?;
    }
    let inputs = [Some(input), Some(weight), bias];
    if is_recording(&inputs.iter().flatten().copied().collect::<Vec<_>>()) {
        record_node(
            ConvBackward {
                form,
                geom,
                has_bias: bias.is_some(),
                name: "ConvolutionBackward0",
            },
            input,
            weight,
            bias,
            &out,
        )?;
    }
    Ok(out)
}

/// One of the three products, recorded (the gradients of a convolution are made of these).
fn conv_form(form: ConvForm, a: &Tensor, b: &Tensor, geom: &ConvGeometry) -> Result<Tensor> {
    let out = run(form, a, b, geom)?;
    if is_recording(&[a, b]) {
        let node = ConvBackward {
            form,
            geom: geom.clone(),
            has_bias: false,
            name: "ConvolutionBackwardBackward0",
        };
        record_node(node, a, b, None, &out)?;
    }
    Ok(out)
}

fn record_node(
    node: ConvBackward,
    a: &Tensor,
    b: &Tensor,
    bias: Option<&Tensor>,
    out: &Tensor,
) -> Result<()> {
    // Each operand's gradient needs the other operand.
    let saved = smallvec![save_if(b.requires_grad(), a), save_if(a.requires_grad(), b)];
    record(node, &[Some(a), Some(b), bias], saved, &[out])
}

/// Runs the kernel for `form`. 3-D operands (1-D convolution) are seen as 4-D with height 1,
/// and the result comes back 3-D.
fn run(form: ConvForm, a: &Tensor, b: &Tensor, geom: &ConvGeometry) -> Result<Tensor> {
    let four_d = |t: &Tensor| {
        if t.ndim() == 3 {
            t.with_layout(t.layout().unsqueeze(2))
        } else {
            t.clone()
        }
    };
    let out = backend::conv2d(form, &four_d(a), &four_d(b), geom)?;
    Ok(if a.ndim() == 3 {
        out.with_layout(Layout::contiguous(&[
            out.shape()[0],
            out.shape()[1],
            out.shape()[3],
        ]))
    } else {
        out
    })
}

/// Expands a per-dim list given for the function's dims, with PyTorch's message when its
/// length does not match the weight's spatial dims.
fn per_dim(values: &[i64], dims: usize, what: &str) -> Result<Vec<i64>> {
    if values.len() == dims {
        return Ok(values.to_vec());
    }
    if values.len() == 1 {
        return Ok(vec![values[0]; dims]);
    }
    Err(Error::runtime(format!(
        "expected {what} to be a single integer value or a list of {dims} values to match the convolution dimensions, but got {what}={}",
        list_str(values)
    )))
}

fn list_str(values: &[i64]) -> String {
    let parts: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// PyTorch's checks of a convolution's arguments, in PyTorch's order; the geometry if they
/// pass.
fn check(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    opts: &ConvOptions,
) -> Result<ConvGeometry> {
    if weight.ndim() < 3 {
        return Err(Error::runtime(
            "weight should have at least three dimensions",
        ));
    }
    let dims = weight.ndim() - 2;
    let stride = per_dim(&opts.stride, dims, "stride")?;
    let dilation = per_dim(&opts.dilation, dims, "dilation")?;
    let output_padding = if opts.output_padding.is_empty() {
        vec![0; dims]
    } else {
        per_dim(&opts.output_padding, dims, "output_padding")?
    };
    let kernel = &weight.shape()[2..];
    if kernel.contains(&0) {
        // PyTorch's message here comes from its oneDNN backend; this one says what is wrong.
        return Err(Error::runtime(format!(
            "convolution: kernel sizes must be positive, but got weight of size {}",
            shape_str(weight.shape())
        )));
    }
    let (padding, padding_after) = match &opts.padding {
        ConvPadding::Explicit(p) => {
            let p = per_dim(p, dims, "padding")?;
            (p.clone(), p)
        }
        ConvPadding::Valid => (vec![0; dims], vec![0; dims]),
        ConvPadding::Same => {
            if stride.iter().any(|&s| s != 1) {
                return Err(Error::runtime(
                    "padding='same' is not supported for strided convolutions",
                ));
            }
            let total: Vec<i64> = (0..dims)
                .map(|i| dilation[i].saturating_mul(kernel[i] as i64 - 1))
                .collect();
            let before: Vec<i64> = total.iter().map(|t| t / 2).collect();
            let after = total.iter().zip(&before).map(|(t, b)| t - b).collect();
            (before, after)
        }
    };
    if padding.iter().any(|&p| p < 0) {
        return Err(Error::runtime("negative padding is not supported"));
    }
    if output_padding.iter().any(|&p| p < 0) {
        return Err(Error::runtime("negative output_padding is not supported"));
    }
    if stride.iter().any(|&s| s <= 0) {
        return Err(Error::runtime("non-positive stride is not supported"));
    }
    if dilation.iter().any(|&d| d <= 0) {
        return Err(Error::runtime("non-positive dilation is not supported"));
    }
    if opts.groups <= 0 {
        return Err(Error::runtime("non-positive groups is not supported"));
    }
    let huge = |v: &i64| *v > i32::MAX as i64;
    let params = [
        &stride,
        &padding,
        &padding_after,
        &dilation,
        &output_padding,
    ];
    if params.iter().any(|v| v.iter().any(huge)) {
        return Err(Error::runtime(
            "convolution: stride, padding, dilation and output_padding must be below 2^31",
        ));
    }
    let groups = opts.groups as usize;
    let ws = weight.shape();
    if weight.ndim() != input.ndim() {
        return Err(Error::runtime(format!(
            "Expected {0}-dimensional input for {0}-dimensional weight {1}, but got {2}-dimensional input of size {3} instead",
            weight.ndim(),
            shape_str(ws),
            input.ndim(),
            shape_str(input.shape())
        )));
    }
    if ws[0] < groups {
        return Err(Error::runtime(format!(
            "Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got weight of size {} instead",
            shape_str(ws)
        )));
    }
    if ws[0] % groups != 0 {
        return Err(Error::runtime(format!(
            "Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size [{}] instead",
            shape_str(ws)
        )));
    }
    let bias_ok = |n: usize| bias.is_none_or(|b| b.ndim() == 1 && b.shape()[0] == n);
    let bias_size = || bias.map(|b| shape_str(b.shape())).unwrap_or_default();
    let in_ch = input.shape()[1];
    let spatial_in = &input.shape()[2..];
    if !opts.transposed {
        if in_ch != ws[1] * groups {
            return Err(Error::runtime(format!(
                "Given groups={groups}, weight of size {}, expected input{} to have {} channels, but got {in_ch} channels instead",
                shape_str(ws),
                shape_str(input.shape()),
                ws[1] * groups
            )));
        }
        if !bias_ok(ws[0]) {
            return Err(Error::runtime(format!(
                "Given weight of size {}, expected bias to be 1-dimensional with {} elements, but got bias of size {} instead",
                shape_str(ws),
                ws[0],
                bias_size()
            )));
        }
        // In i128: a dilated kernel's extent can pass i64 before the check rejects it.
        let padded: Vec<i128> = (0..dims)
            .map(|i| spatial_in[i] as i128 + (padding[i] + padding_after[i]) as i128)
            .collect();
        let extent: Vec<i128> = (0..dims)
            .map(|i| dilation[i] as i128 * (kernel[i] as i128 - 1) + 1)
            .collect();
        if (0..dims).any(|i| padded[i] < extent[i]) {
            let join = |v: &[i128]| {
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(" x ")
            };
            return Err(Error::runtime(format!(
                "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size can't be greater than actual input size",
                join(&padded),
                join(&extent)
            )));
        }
    } else {
        if in_ch != ws[0] {
            return Err(Error::runtime(format!(
                "Given transposed=1, weight of size {}, expected input{} to have {} channels, but got {in_ch} channels instead",
                shape_str(ws),
                shape_str(input.shape()),
                ws[0]
            )));
        }
        if !bias_ok(ws[1] * groups) {
            return Err(Error::runtime(format!(
                "Given transposed=1, weight of size {}, expected bias to be 1-dimensional with {} elements, but got bias of size {} instead",
                shape_str(ws),
                ws[1] * groups,
                bias_size()
            )));
        }
        if (0..dims).any(|i| output_padding[i] >= stride[i] && output_padding[i] >= dilation[i]) {
            let mut msg = String::from(
                "output padding must be smaller than either stride or dilation, but got",
            );
            for (label, v) in [
                ("output_padding", &output_padding),
                ("stride", &stride),
                ("dilation", &dilation),
            ] {
                for (axis, x) in ["height", "width"].iter().skip(2 - dims).zip(v.iter()) {
                    msg.push_str(&format!(" {label}_{axis}: {x}"));
                }
            }
            return Err(Error::runtime(msg));
        }
    }
    for (what, t) in [("weight", Some(weight)), ("bias", bias)] {
        if let Some(t) = t {
            super::check_same_device("convolution", &[input, t])?;
            if t.dtype() != input.dtype() {
                return Err(Error::runtime(if what == "weight" {
                    format!(
                        "Input type (ferrograd.{}) and weight type (ferrograd.{}) should be the same or input should be a MKLDNN tensor and weight is a dense tensor",
                        input.dtype().legacy_type_name(),
                        t.dtype().legacy_type_name()
                    )
                } else {
                    format!(
                        "Input type ({}) and bias type ({}) should be the same",
                        c_name(input),
                        c_name(t)
                    )
                }));
            }
        }
    }
    if !input.dtype().is_floating_point() {
        return Err(Error::not_implemented(format!(
            "\"conv\" not implemented for '{}'",
            input.dtype().scalar_type_name()
        )));
    }

    // The spatial dims as 2-D: a 1-D convolution has height 1 (`fill` where it needs a
    // value: 1 for sizes, strides and dilations, 0 for padding).
    let two_with = |v: &[i64], fill: usize| -> [usize; 2] {
        if dims == 1 {
            [fill, v[0] as usize]
        } else {
            [v[0] as usize, v[1] as usize]
        }
    };
    let two = |v: &[i64]| two_with(v, 1);
    let as_i64 = |v: &[usize]| v.iter().map(|&x| x as i64).collect::<Vec<_>>();
    let kernel = two(&as_i64(kernel));
    let (stride, dilation) = (two(&stride), two(&dilation));
    let (padding, padding_after) = (two_with(&padding, 0), two_with(&padding_after, 0));
    let spatial = two(&as_i64(spatial_in));
    let batch = input.shape()[0];
    if !opts.transposed {
        let output = [0, 1].map(|i| {
            (spatial[i] + padding[i] + padding_after[i] - dilation[i] * (kernel[i] - 1) - 1)
                / stride[i]
                + 1
        });
        return Ok(ConvGeometry {
            batch,
            in_channels: in_ch,
            out_channels: ws[0],
            groups,
            input: spatial,
            output,
            kernel,
            stride,
            padding,
            dilation,
        });
    }
    // Transposed: the output is the input of the convolution it transposes.
    let output_padding = two_with(&output_padding, 0);
    let size = |i: usize| -> i128 {
        (spatial[i] as i128 - 1) * stride[i] as i128 - 2 * padding[i] as i128
            + dilation[i] as i128 * (kernel[i] as i128 - 1)
            + output_padding[i] as i128
            + 1
    };
    let out_size = [size(0), size(1)];
    if out_size.iter().any(|&s| s > i64::MAX as i128) {
        return Err(Error::runtime(
            "conv_transpose: the output size does not fit in 64 bits",
        ));
    }
    if out_size.iter().any(|&s| s <= 0) {
        let shown = |v: [i128; 2]| {
            let v = if dims == 1 { &v[1..] } else { &v[..] };
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(" x ")
        };
        return Err(Error::runtime(format!(
            "Given input size per channel: ({}). Calculated output size per channel: ({}). Output size is too small",
            shown([spatial[0] as i128, spatial[1] as i128]),
            shown(out_size)
        )));
    }
    Ok(ConvGeometry {
        batch,
        in_channels: ws[1] * groups,
        out_channels: ws[0],
        groups,
        input: [out_size[0] as usize, out_size[1] as usize],
        output: spatial,
        kernel,
        stride,
        padding,
        dilation,
    })
}

/// C++ type names PyTorch prints in the bias message.
fn c_name(t: &Tensor) -> &'static str {
    match t.dtype() {
        crate::tensor::DType::Float32 => "float",
        crate::tensor::DType::Float64 => "double",
        crate::tensor::DType::Int64 => "long int",
        crate::tensor::DType::Int32 => "int",
        crate::tensor::DType::Bool => "bool",
    }
}

/// Backward of one convolution product `out = form(a, b)` (plus a bias for the public op).
struct ConvBackward {
    form: ConvForm,
    geom: ConvGeometry,
    has_bias: bool,
    name: &'static str,
}

impl Backward for ConvBackward {
    fn name(&self) -> &str {
        self.name
    }

    fn backward(&self, ctx: &BackwardCtx) -> Result<Grads> {
        let g = ctx.grad();
        let geom = &self.geom;
        // <g, form(a, b)> differentiated in a and in b, each another form.
        let (ga, gb) = match self.form {
            ConvForm::Forward => (
                (ConvForm::InputGrad, [Some(g), ctx.saved(1).ok()]),
                (ConvForm::WeightGrad, [ctx.saved(0).ok(), Some(g)]),
            ),
            ConvForm::InputGrad => (
                (ConvForm::Forward, [Some(g), ctx.saved(1).ok()]),
                (ConvForm::WeightGrad, [Some(g), ctx.saved(0).ok()]),
            ),
            ConvForm::WeightGrad => (
                (ConvForm::InputGrad, [ctx.saved(1).ok(), Some(g)]),
                (ConvForm::Forward, [ctx.saved(0).ok(), Some(g)]),
            ),
        };
        let apply = |i: usize, (form, [x, y]): (ConvForm, [Option<&Tensor>; 2])| {
            if !ctx.needs(i) {
                return Ok(None);
            }
            let missing = || Error::runtime("internal error: convolution operand not saved");
            conv_form(form, x.ok_or_else(missing)?, y.ok_or_else(missing)?, geom).map(Some)
        };
        let grad_bias = if self.has_bias && ctx.needs(2) {
            let dims: Vec<i64> = (0..g.ndim() as i64).filter(|&d| d != 1).collect();
            Some(sum_dims(g, Some(&dims), false)?)
        } else {
            None
        };
        Ok(smallvec![apply(0, ga)?, apply(1, gb)?, grad_bias])
    }
}
