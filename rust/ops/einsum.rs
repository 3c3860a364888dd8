//! `einsum` and `outer`, written with differentiable ops (diagonal, sum, permute, reshape,
//! `bmm`), so their gradients (and double backward) come from those.
//!
//! `einsum` handles explicit and implicit outputs, `...` (broadcast together across
//! operands), repeated subscripts within an operand (diagonals), size-1 broadcasting, and
//! any number of operands, contracted left to right.

use super::arith::mul;
use super::matmul::bmm;
use super::reduce::sum_dims;
use super::shape_ops::diagonal;
use super::view::{expand, permute, reshape, unsqueeze};
use crate::error::{Error, Result};
use crate::tensor::{Dims, Tensor};

/// A subscript: letters are 0..52 (`A`-`Z`, then `a`-`z`); the dims `...` stands for are
/// 52 and up, numbered from the first of the widest `...`.
type Label = usize;
const LETTERS: usize = 52;

fn letter_label(c: char) -> Option<Label> {
    match c {
        'A'..='Z' => Some(c as usize - 'A' as usize),
        'a'..='z' => Some(c as usize - 'a' as usize + 26),
        _ => None,
    }
}

fn label_char(l: Label) -> char {
    if l < 26 {
        (b'A' + l as u8) as char
    } else {
        (b'a' + (l - 26) as u8) as char
    }
}

/// One side of the equation: letters in order, and where `...` sits (an index into them).
struct Term {
    letters: Vec<Label>,
    ellipsis_at: Option<usize>,
}

/// Parses `ab...c`; `offset` is where the term starts in the equation, for messages.
fn parse_term(term: &str, offset: usize) -> Result<Term> {
    let mut letters = Vec::new();
    let mut ellipsis_at = None;
    let chars: Vec<char> = term.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '.' {
            if ellipsis_at.is_some() || chars.get(i..i + 3) != Some(&['.', '.', '.']) {
                return Err(Error::runtime(
                    "einsum(): found '.' for operand that is not part of any ellipsis",
                ));
            }
            ellipsis_at = Some(letters.len());
            i += 3;
            continue;
        }
        if c == ' ' {
            i += 1;
            continue;
        }
        letters.push(letter_label(c).ok_or_else(|| {
            Error::runtime(format!(
                "einsum(): invalid subscript given at index {} in the equation string, subscripts must be in [a-zA-Z]",
                offset + i
            ))
        })?);
        i += 1;
    }
    Ok(Term {
        letters,
        ellipsis_at,
    })
}

/// The labels of each dim of an operand with `ndim` dims, `...` standing for its last
/// `ndim - letters` of the `ell` broadcast dims.
fn operand_labels(term: &Term, ndim: usize, ell: usize) -> Vec<Label> {
    match term.ellipsis_at {
        None => term.letters.clone(),
        Some(at) => {
            let covered = ndim - term.letters.len();
            let dots = (ell - covered..ell).map(|j| LETTERS + j);
            term.letters[..at]
                .iter()
                .copied()
                .chain(dots)
                .chain(term.letters[at..].iter().copied())
                .collect()
        }
    }
}

/// An operand on its way through the contraction: the tensor and the label of each dim.
struct Operand {
    t: Tensor,
    labels: Vec<Label>,
}

impl Operand {
    fn size(&self, label: Label) -> usize {
        let d = self
            .labels
            .iter()
            .position(|&l| l == label)
            .expect("label present");
        self.t.shape()[d]
    }

    /// Sums out the dims whose labels `keep` rejects.
    fn sum_out(self, keep: impl Fn(Label) -> bool) -> Result<Operand> {
        let dims: Vec<i64> = (0..self.labels.len())
            .filter(|&d| !keep(self.labels[d]))
            .map(|d| d as i64)
            .collect();
        if dims.is_empty() {
            return Ok(self);
        }
        let labels = self.labels.iter().copied().filter(|&l| keep(l)).collect();
        Ok(Operand {
            t: sum_dims(&self.t, Some(&dims), false)?,
            labels,
        })
    }

    /// The tensor with its dims in `order` (which lists every label once).
    fn arranged(&self, order: &[Label]) -> Result<Tensor> {
        let dims: Vec<i64> = order
            .iter()
            .map(|l| {
                self.labels
                    .iter()
                    .position(|m| m == l)
                    .expect("label present") as i64
            })
            .collect();
        if dims.iter().enumerate().all(|(i, &d)| i as i64 == d) {
            Ok(self.t.clone())
        } else {
            permute(&self.t, &dims)
        }
    }
}

/// Replaces repeated labels of one operand by their diagonal.
fn take_diagonals(mut op: Operand, index: usize) -> Result<Operand> {
    while let Some((d1, d2)) = (0..op.labels.len()).find_map(|i| {
        (i + 1..op.labels.len())
            .find(|&j| op.labels[j] == op.labels[i])
            .map(|j| (i, j))
    }) {
        let (n1, n2) = (op.t.shape()[d1], op.t.shape()[d2]);
        if n1 != n2 {
            return Err(Error::runtime(format!(
                "einsum(): subscript {} is repeated for operand {index} but the sizes don't match, {n2} != {n1}",
                label_char(op.labels[d1])
            )));
        }
        let label = op.labels[d1];
        op.t = diagonal(&op.t, 0, d1 as i64, d2 as i64)?;
        op.labels.retain(|&l| l != label);
        op.labels.push(label);
    }
    Ok(op)
}

/// `a` and `b` multiplied and summed over the labels in both that `keep` rejects. Labels in
/// both that are kept become batch dims; the result's labels are batch, `a`'s, `b`'s.
fn contract(a: Operand, b: Operand, keep: impl Fn(Label) -> bool) -> Result<Operand> {
    let a = a.sum_out(|l| keep(l) || b.labels.contains(&l))?;
    let b = b.sum_out(|l| keep(l) || a.labels.contains(&l))?;
    let shared = |l: &Label| a.labels.contains(l) && b.labels.contains(l);
    let batch: Vec<Label> = a
        .labels
        .iter()
        .copied()
        .filter(|l| shared(l) && keep(*l))
        .collect();
    let summed: Vec<Label> = a
        .labels
        .iter()
        .copied()
        .filter(|l| shared(l) && !keep(*l))
        .collect();
    let left: Vec<Label> = a.labels.iter().copied().filter(|l| !shared(l)).collect();
    let right: Vec<Label> = b
        .labels
        .iter()
        .copied()
        .filter(|l| !a.labels.contains(l))
        .collect();
    let common = |l: Label| match (a.size(l), b.size(l)) {
        (1, n) | (n, _) => n,
    };
    let sizes = |ls: &[Label], op: &Operand| -> Dims { ls.iter().map(|&l| op.size(l)).collect() };
    // Shared dims of size 1 on one side broadcast against the other.
    let grown = |op: &Operand, order: &[Label]| -> Result<Tensor> {
        let t = op.arranged(order)?;
        let shape: Dims = order
            .iter()
            .map(|&l| if shared(&l) { common(l) } else { op.size(l) })
            .collect();
        if t.shape() == shape.as_slice() {
            Ok(t)
        } else {
            expand(&t, &shape)
        }
    };
    let batch_sizes: Dims = batch.iter().map(|&l| common(l)).collect();
    let (left_sizes, right_sizes) = (sizes(&left, &a), sizes(&right, &b));
    let labels = batch.iter().chain(&left).chain(&right).copied().collect();
    if summed.is_empty() {
        // Nothing to sum: a broadcast product, batch ++ left ++ right.
        let ones = |n: usize| std::iter::repeat_n(1, n);
        let a_order: Vec<Label> = batch.iter().chain(&left).copied().collect();
        let b_order: Vec<Label> = batch.iter().chain(&right).copied().collect();
        let a_shape: Dims = batch_sizes
            .iter()
            .chain(&left_sizes)
            .copied()
            .chain(ones(right.len()))
            .collect();
        let b_shape: Dims = batch_sizes
            .iter()
            .copied()
            .chain(ones(left.len()))
            .chain(right_sizes.iter().copied())
            .collect();
        let t = mul(
            &reshape(&grown(&a, &a_order)?, &a_shape)?,
            &reshape(&grown(&b, &b_order)?, &b_shape)?,
        )?;
        return Ok(Operand { t, labels });
    }
    let nb: usize = batch_sizes.iter().product();
    let nk: usize = summed.iter().map(|&l| common(l)).product();
    let (m, n) = (left_sizes.iter().product(), right_sizes.iter().product());
    let a_order: Vec<Label> = batch.iter().chain(&left).chain(&summed).copied().collect();
    let b_order: Vec<Label> = batch.iter().chain(&summed).chain(&right).copied().collect();
    let a3 = reshape(&grown(&a, &a_order)?, &[nb, m, nk])?;
    let b3 = reshape(&grown(&b, &b_order)?, &[nb, nk, n])?;
    let r = bmm(&a3, &b3)?;
    let shape: Dims = batch_sizes
        .iter()
        .chain(&left_sizes)
        .chain(&right_sizes)
        .copied()
        .collect();
    Ok(Operand {
        t: reshape(&r, &shape)?,
        labels,
    })
}

/// `einsum(equation, *operands)`.
pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
    let (lhs, rhs) = match equation.split_once("->") {
        Some((l, r)) => (l, Some(r)),
        None => (equation, None),
    };
    let mut terms = Vec::new();
    let mut offset = 0;
    for part in lhs.split(',') {
        terms.push(parse_term(part, offset)?);
        offset += part.len() + 1;
    }
    if operands.len() < terms.len() {
        return Err(Error::runtime(
            "einsum(): fewer operands were provided than specified in the equation",
        ));
    }
    if operands.len() > terms.len() {
        return Err(Error::runtime(
            "einsum(): more operands were provided than specified in the equation",
        ));
    }
    if let Some(t) = operands.iter().find(|t| t.dtype() != operands[0].dtype()) {
        return Err(Error::runtime(format!(
            "expected scalar type {} but found {}",
            operands[0].dtype().scalar_type_name(),
            t.dtype().scalar_type_name()
        )));
    }
    for (i, (term, t)) in terms.iter().zip(operands).enumerate() {
        let n = term.letters.len();
        if term.ellipsis_at.is_none() && n != t.ndim() {
            return Err(Error::runtime(format!(
                "einsum(): the number of subscripts in the equation ({n}) does not match the number of dimensions ({}) for operand {i} and no ellipsis was given",
                t.ndim()
            )));
        }
        if n > t.ndim() {
            return Err(Error::runtime(format!(
                "einsum(): the number of subscripts in the equation ({n}) is more than the number of dimensions ({}) for operand {i}",
                t.ndim()
            )));
        }
    }
    let ell = terms
        .iter()
        .zip(operands)
        .filter(|(term, _)| term.ellipsis_at.is_some())
        .map(|(term, t)| t.ndim() - term.letters.len())
        .max()
        .unwrap_or(0);
    let mut ops = Vec::with_capacity(operands.len());
    for (i, (term, t)) in terms.iter().zip(operands).enumerate() {
        let op = Operand {
            t: t.clone(),
            labels: operand_labels(term, t.ndim(), ell),
        };
        ops.push(take_diagonals(op, i)?);
    }
    check_sizes(&ops, ell)?;
    let output = output_labels(rhs, &terms, ell)?;
    // Contract left to right, keeping what the output or a later operand needs.
    let mut ops = ops.into_iter();
    let mut acc = ops.next().expect("at least one operand");
    let rest: Vec<Operand> = ops.collect();
    for (i, next) in rest.into_iter().enumerate() {
        let later: Vec<Label> = terms[i + 2..]
            .iter()
            .zip(&operands[i + 2..])
            .flat_map(|(term, t)| operand_labels(term, t.ndim(), ell))
            .collect();
        let keep = |l: Label| output.contains(&l) || later.contains(&l);
        acc = contract(acc, next, keep)?;
    }
    let acc = acc.sum_out(|l| output.contains(&l))?;
    if operands.iter().any(|t| t.same(&acc.t)) {
        // Nothing was computed: the result is still a new view, as in PyTorch.
        let dims: Vec<i64> = output
            .iter()
            .map(|l| {
                acc.labels
                    .iter()
                    .position(|m| m == l)
                    .expect("label present") as i64
            })
            .collect();
        return permute(&acc.t, &dims);
    }
    acc.arranged(&output)
}

/// Every label must have one size, or size 1 where it broadcasts.
fn check_sizes(ops: &[Operand], ell: usize) -> Result<()> {
    let mut seen: Vec<Option<usize>> = vec![None; LETTERS + ell];
    for (i, op) in ops.iter().enumerate() {
        for (d, &l) in op.labels.iter().enumerate() {
            let n = op.t.shape()[d];
            match seen[l] {
                Some(m) if m != n && m != 1 && n != 1 => {
                    let name = if l < LETTERS {
                        format!("subscript {}", label_char(l))
                    } else {
                        "ellipsis dimension".to_string()
                    };
                    return Err(Error::runtime(format!(
                        "einsum(): {name} has size {n} for operand {i} which does not broadcast with previously seen size {m}"
                    )));
                }
                Some(m) if m != 1 => {}
                _ => seen[l] = Some(n),
            }
        }
    }
    Ok(())
}

/// The output's labels: explicit after `->`, else `...` then the letters used once, sorted.
fn output_labels(rhs: Option<&str>, terms: &[Term], ell: usize) -> Result<Vec<Label>> {
    let count = |l: Label| {
        terms
            .iter()
            .flat_map(|t| &t.letters)
            .filter(|&&m| m == l)
            .count()
    };
    let dots = LETTERS..LETTERS + ell;
    let Some(rhs) = rhs else {
        let once = (0..LETTERS).filter(|&l| count(l) == 1);
        return Ok(dots.chain(once).collect());
    };
    let term = parse_term(rhs, 0)?;
    for (i, &l) in term.letters.iter().enumerate() {
        if term.letters[..i].contains(&l) {
            return Err(Error::runtime(format!(
                "einsum(): output subscript {} appears more than once in the output",
                label_char(l)
            )));
        }
        if count(l) == 0 {
            return Err(Error::runtime(format!(
                "einsum(): output subscript {} does not appear in the equation for any input operand",
                label_char(l)
            )));
        }
    }
    Ok(match term.ellipsis_at {
        None => term.letters,
        Some(at) => term.letters[..at]
            .iter()
            .copied()
            .chain(dots)
            .chain(term.letters[at..].iter().copied())
            .collect(),
    })
}

/// `outer(a, b)`: `a[i] * b[j]` for vectors.
pub fn outer(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    for (t, name) in [(a, "self"), (b, "vec2")] {
        if t.ndim() != 1 {
            return Err(Error::runtime(format!(
                "outer: Expected 1-D argument {name}, but got {}-D",
                t.ndim()
            )));
        }
    }
    mul(&unsqueeze(a, 1)?, b)
}
