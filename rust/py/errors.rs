//! Core errors become the Python exceptions PyTorch raises; exceptions raised by Python
//! callbacks inside the core travel through it unchanged.

use std::cell::RefCell;

use pyo3::exceptions::{
    PyIndexError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::PyErr;

use crate::error::{Error, ErrorKind};

thread_local! {
    /// The exception a Python callback raised, waiting to be re-raised when the core's error
    /// reaches the binding layer.
    static PENDING: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Parks a Python exception raised inside a callback and gives the core an error for it.
pub fn park(err: PyErr) -> Error {
    let message = err.to_string();
    PENDING.with(|p| *p.borrow_mut() = Some(err));
    Error::new(ErrorKind::External, message)
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e.kind {
            ErrorKind::Runtime => PyRuntimeError::new_err(e.message),
            ErrorKind::Type => PyTypeError::new_err(e.message),
            ErrorKind::Value => PyValueError::new_err(e.message),
            ErrorKind::Index => PyIndexError::new_err(e.message),
            ErrorKind::NotImplemented => PyNotImplementedError::new_err(e.message),
            ErrorKind::External => PENDING
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| PyRuntimeError::new_err(e.message)),
        }
    }
}
