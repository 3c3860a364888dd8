// Activation functions and their fused gradients g * f'(x), over the float type F of the
// float-math prelude (special.wgsl). The formulas are rust/cpu/activation.rs's; numbers an
// activation carries (slopes, bounds) come in as arguments.

// sqrt(2 / pi) and the cubic coefficient of GELU's tanh approximation.
const GELU_TANH_K = 0.7978845608028654;
const GELU_TANH_C = 0.044715;

// min(max(x, lo), hi) with NaN staying NaN.
fn clip(x: F, lo: F, hi: F) -> F {
    if (f_is_nan(x)) { return x; }
    return min(max(x, lo), hi);
}

fn gelu(x: F) -> F {
    return x * f_normal_cdf(x);
}

// Phi(x) + x phi(x)
fn gelu_grad(g: F, x: F) -> F {
    let pdf = F(INV_SQRT_2PI) * f_exp(-0.5 * x * x);
    return g * (f_normal_cdf(x) + x * pdf);
}

// 0.5 (1 + tanh(u)) is sigmoid(2u), which keeps its precision for large negative x.
fn gelu_tanh(x: F) -> F {
    let u = F(GELU_TANH_K) * (x + F(GELU_TANH_C) * x * x * x);
    return x * f_sigmoid(u + u);
}

fn gelu_tanh_grad(g: F, x: F) -> F {
    let u = F(GELU_TANH_K) * (x + F(GELU_TANH_C) * x * x * x);
    let s = f_sigmoid(u + u);
    let du = F(GELU_TANH_K) * (1.0 + F(3.0 * GELU_TANH_C) * x * x);
    return g * (s + 2.0 * x * s * (1.0 - s) * du);
}

fn silu(x: F) -> F {
    return x / (1.0 + f_exp(-x));
}

fn silu_grad(g: F, x: F) -> F {
    let s = f_sigmoid(x);
    return g * s * (1.0 + x * (1.0 - s));
}

fn mish(x: F) -> F {
    return x * f_tanh(f_softplus(x));
}

fn mish_grad(g: F, x: F) -> F {
    let t = f_tanh(f_softplus(x));
    return g * (t + x * f_sigmoid(x) * (1.0 - t * t));
}

fn softplus(x: F, beta: F, threshold: F) -> F {
    if (x * beta > threshold) { return x; }
    return f_log1p(f_exp(x * beta)) / beta;
}

fn softplus_grad(g: F, x: F, beta: F, threshold: F) -> F {
    if (x * beta > threshold) { return g; }
    return g * f_sigmoid(x * beta);
}

fn elu(x: F, alpha: F, scale: F, input_scale: F) -> F {
    if (x > 0.0) { return scale * x; }
    return scale * alpha * f_expm1(x * input_scale);
}

fn elu_grad(g: F, x: F, alpha: F, scale: F, input_scale: F) -> F {
    if (x > 0.0) { return g * scale; }
    return g * scale * alpha * input_scale * f_exp(x * input_scale);
}

fn leaky_relu(x: F, slope: F) -> F {
    return select(x * slope, x, x > 0.0);
}

fn leaky_relu_grad(g: F, x: F, slope: F) -> F {
    return select(g * slope, g, x > 0.0);
}

fn hardtanh(x: F, lo: F, hi: F) -> F {
    return clip(x, lo, hi);
}

fn hardtanh_grad(g: F, x: F, lo: F, hi: F) -> F {
    return select(F(0.0), g, x > lo && x < hi);
}

fn hardswish(x: F) -> F {
    return x * clip(x + 3.0, 0.0, 6.0) / 6.0;
}

fn hardswish_grad(g: F, x: F) -> F {
    if (x <= -3.0) { return 0.0; }
    if (x < 3.0) { return g * (x / 3.0 + 0.5); }
    return g;
}

fn hardsigmoid(x: F) -> F {
    return clip(x + 3.0, 0.0, 6.0) / 6.0;
}

fn hardsigmoid_grad(g: F, x: F) -> F {
    return select(F(0.0), g / 6.0, x > -3.0 && x < 3.0);
}

fn log_sigmoid(x: F) -> F {
    return -f_softplus(-x);
}

fn log_sigmoid_grad(g: F, x: F) -> F {
    return g * f_sigmoid(-x);
}
