//! `ferrograd.Generator` and the seeding functions.

use parking_lot::Mutex;
use pyo3::prelude::*;

use crate::cpu::random::{self, Generator};

/// A random number generator. `Generator()` is independent; `manual_seed()` returns the
/// default one that every random function uses when no `generator=` is given.
#[pyclass(name = "Generator", module = "ferrograd")]
pub struct PyGenerator {
    /// `None` is the process-wide default generator.
    own: Option<Mutex<Generator>>,
}

impl PyGenerator {
    pub fn default_generator() -> PyGenerator {
        PyGenerator { own: None }
    }

    /// Runs `f` with this generator's state.
    pub fn with<R>(&self, f: impl FnOnce(&mut Generator) -> R) -> R {
        match &self.own {
            Some(g) => f(&mut g.lock()),
            None => random::with_default(f),
        }
    }
}

/// Runs `f` with `generator`, or the default generator when none is given.
pub fn with_generator<R>(
    generator: Option<&PyGenerator>,
    f: impl FnOnce(&mut Generator) -> R,
) -> R {
    match generator {
        Some(g) => g.with(f),
        None => random::with_default(f),
    }
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn new(device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        super::dtype::extract_device_opt(device)?;
        Ok(PyGenerator {
            own: Some(Mutex::new(Generator::new(random::DEFAULT_SEED))),
        })
    }

    fn manual_seed(slf: Bound<'_, Self>, seed: i128) -> Bound<'_, Self> {
        let seed = seed as u64;
        match &slf.borrow().own {
            Some(g) => *g.lock() = Generator::new(seed),
            None => random::manual_seed(seed),
        }
        slf
    }

    fn initial_seed(&self) -> u64 {
        self.with(|g| g.seed())
    }

    /// Reseeds from the clock and returns the new seed.
    fn seed(&self) -> u64 {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        self.with(|g| *g = Generator::new(seed));
        seed
    }
}

/// `manual_seed(seed)`: reseeds the default generator and returns it.
#[pyfunction]
pub fn manual_seed(seed: i128) -> PyGenerator {
    random::manual_seed(seed as u64);
    PyGenerator::default_generator()
}

#[pyfunction]
pub fn initial_seed() -> u64 {
    random::with_default(|g| g.seed())
}

#[pyfunction]
pub fn seed() -> u64 {
    PyGenerator::default_generator().seed()
}
