//! The random number generator behind `manual_seed`, `rand`, `randn`, `randint` and dropout.
//!
//! A per-process default generator seeded with PyTorch's fixed default seed, so a program
//! without `manual_seed` is reproducible too; `Generator` objects wrap their own state.

use parking_lot::Mutex;

use crate::ops::kinds::Distribution;
use crate::tensor::{DType, Element, Tensor};
use crate::with_dtype;

/// PyTorch's default CPU seed (`torch.initial_seed()` in a fresh process).
pub const DEFAULT_SEED: u64 = 67280421310721;

/// xoshiro256** seeded through splitmix64: fast, small state, good statistical quality.
#[derive(Clone, Debug)]
pub struct Generator {
    state: [u64; 4],
    seed: u64,
    /// Second value of the last Box-Muller pair, handed out on the next normal draw.
    spare_normal: Option<f64>,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        let mut sm = seed;
        let mut next = || {
            sm = sm.wrapping_add(0x9E3779B97F4A7C15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
            z ^ (z >> 31)
        };
        Generator {
            state: [next(), next(), next(), next()],
            seed,
            spare_normal: None,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, 1) with 24 random bits (exactly representable as f32, never 1.0).
    pub fn uniform_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        if let Some(v) = self.spare_normal.take() {
            return v;
        }
        let u1 = 1.0 - self.uniform_f64(); // (0, 1]: log is finite
        let u2 = self.uniform_f64();
        let r = (-2.0 * u1.ln()).sqrt();
        let theta = std::f64::consts::TAU * u2;
        self.spare_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    /// Uniform integer in [low, high); `high > low`.
    pub fn int_range(&mut self, low: i64, high: i64) -> i64 {
        let span = (high as i128 - low as i128) as u128;
        // Multiply-shift maps 64 random bits onto the span with negligible bias.
        let r = ((self.next_u64() as u128 * span) >> 64) as i128;
        (low as i128 + r) as i64
    }
}

/// Fills the fresh contiguous CPU tensor `out` with draws from `dist` (floating dtypes for
/// `Uniform` and `Normal`, checked by the caller).
pub fn sample_into(dist: Distribution, out: &Tensor, gen: &mut Generator) {
    match (dist, out.dtype()) {
        (Distribution::Uniform, DType::Float64) => fill_with(out, || gen.uniform_f64()),
        (Distribution::Uniform, _) => fill_with(out, || gen.uniform_f32()),
        (Distribution::Normal, DType::Float64) => fill_with(out, || gen.normal()),
        (Distribution::Normal, _) => fill_with(out, || gen.normal() as f32),
        (Distribution::Integers { low, high }, dtype) => {
            with_dtype!(dtype, T => fill_with::<T>(out, || T::from_i64(gen.int_range(low, high))))
        }
    }
}

fn fill_with<T: Element>(out: &Tensor, mut f: impl FnMut() -> T) {
    let p = out.cpu_ptr::<T>();
    for i in 0..out.numel() {
        // SAFETY: `out` is a fresh contiguous tensor.
        unsafe { *p.add(i) = f() };
    }
}

static DEFAULT: Mutex<Option<Generator>> = Mutex::new(None);

/// Runs `f` with the default generator.
pub fn with_default<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    let mut g = DEFAULT.lock();
    f(g.get_or_insert_with(|| Generator::new(DEFAULT_SEED)))
}

/// `manual_seed`: restarts the default generator.
pub fn manual_seed(seed: u64) {
    *DEFAULT.lock() = Some(Generator::new(seed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_streams_repeat_and_normals_look_normal() {
        let mut a = Generator::new(7);
        let mut b = Generator::new(7);
        let xs: Vec<f64> = (0..10000).map(|_| a.normal()).collect();
        let ys: Vec<f64> = (0..10000).map(|_| b.normal()).collect();
        assert_eq!(xs, ys);
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(
            mean.abs() < 0.05 && (var - 1.0).abs() < 0.05,
            "mean {mean} var {var}"
        );
        assert!((0..1000)
            .map(|_| a.int_range(-3, 4))
            .all(|v| (-3..4).contains(&v)));
        assert!((0..1000)
            .map(|_| a.uniform_f32())
            .all(|v| (0.0..1.0).contains(&v)));
    }
}
