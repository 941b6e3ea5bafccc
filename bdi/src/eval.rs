//! Arithmetic evaluation and relational comparison.
//!
//! Integers stay integers under `+ - * div mod` and `**` with a
//! non-negative exponent; a result beyond 64 bits is an error
//! ([`EvalError::IntegerOverflow`]), never a silent float. `/` is real
//! division as in Jason. `div` and `mod` truncate toward zero like Jason's
//! (Java) integer arithmetic.

use std::cmp::Ordering;

use crate::error::EvalError;
use crate::term::{ArithOp, Expr, RelOp, Term, compare_terms};
use crate::unify::{Heap, Looked};

fn type_error(op: &'static str, t: &Term) -> EvalError {
    EvalError::Type {
        op,
        found: t.to_string(),
    }
}

fn apply(op: ArithOp, a: &Term, b: &Term) -> Result<Term, EvalError> {
    let name = op.as_str();
    if !matches!(a, Term::Int(_) | Term::Float(_)) {
        return Err(type_error(name, a));
    }
    if !matches!(b, Term::Int(_) | Term::Float(_)) {
        return Err(type_error(name, b));
    }
    if let (Term::Int(x), Term::Int(y)) = (a, b) {
        let (x, y) = (*x, *y);
        let exact = match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            ArithOp::Mul => x.checked_mul(y),
            ArithOp::Div => None,
            ArithOp::IntDiv | ArithOp::Mod if y == 0 => return Err(EvalError::DivisionByZero),
            ArithOp::IntDiv => x.checked_div(y),
            ArithOp::Mod => x.checked_rem(y),
            ArithOp::Pow => u32::try_from(y).ok().and_then(|e| x.checked_pow(e)),
        };
        match exact {
            Some(v) => return Ok(Term::Int(v)),
            // Real division, and powers with a negative exponent, are floats.
            None if op == ArithOp::Div || (op == ArithOp::Pow && y < 0) => {}
            None => {
                return Err(EvalError::IntegerOverflow {
                    expression: format!("{x} {} {y}", op.as_str()),
                });
            }
        }
    }
    let x = a.as_f64().unwrap_or(f64::NAN);
    let y = b.as_f64().unwrap_or(f64::NAN);
    Ok(Term::Float(match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => x / y,
        ArithOp::IntDiv | ArithOp::Mod if y == 0.0 => return Err(EvalError::DivisionByZero),
        ArithOp::IntDiv => (x / y).trunc(),
        ArithOp::Mod => x % y,
        ArithOp::Pow => x.powf(y),
    }))
}

/// Integer arithmetic when it stays exact (`None`: overflow, real
/// division, division by zero or a negative power, which the general path
/// handles or reports).
fn int_op(op: ArithOp, x: i64, y: i64) -> Option<i64> {
    match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::IntDiv if y != 0 => x.checked_div(y),
        ArithOp::Mod if y != 0 => x.checked_rem(y),
        ArithOp::Pow => u32::try_from(y).ok().and_then(|e| x.checked_pow(e)),
        _ => None,
    }
}

impl Heap {
    /// Evaluates an arithmetic term to a number. Non-arithmetic values
    /// evaluate to themselves; an unbound variable is an error.
    pub fn eval(&self, t: &Term, base: u32) -> Result<Term, EvalError> {
        let (v, base) = match self.lookup(t, base) {
            Looked::Unbound(_) => return Err(EvalError::Unbound),
            Looked::Bound(v, b) => (v, b),
        };
        match v {
            Term::Int(i) => Ok(Term::Int(*i)),
            Term::Float(f) => Ok(Term::Float(*f)),
            Term::Expr(e) => {
                match &**e {
                    Expr::Arith(op, a, b) => {
                        // Integers straight from literals or variables (`N + 1`)
                        // need no intermediate terms.
                        if let (Looked::Bound(Term::Int(x), _), Looked::Bound(Term::Int(y), _)) =
                            (self.lookup(a, base), self.lookup(b, base))
                            && let Some(v) = int_op(*op, *x, *y)
                        {
                            return Ok(Term::Int(v));
                        }
                        let x = self.eval(a, base)?;
                        let y = self.eval(b, base)?;
                        apply(*op, &x, &y)
                    }
                    Expr::Neg(a) => match self.eval(a, base)? {
                        Term::Int(i) => i.checked_neg().map(Term::Int).ok_or_else(|| {
                            EvalError::IntegerOverflow {
                                expression: format!("-({i})"),
                            }
                        }),
                        Term::Float(f) => Ok(Term::Float(-f)),
                        other => Err(type_error("-", &other)),
                    },
                    _ => Ok(self.substitute(v, base)),
                }
            }
            _ if v.is_open() => self.resolve(v, base),
            _ => Ok(v.clone()),
        }
    }

    /// Evaluates a comparison (not `=`, which is unification). Numbers
    /// compare by value; other terms by [`compare_terms`] (`<` on atoms and
    /// strings is alphabetical, as in Jason) and `==` by identity.
    pub fn compare(&mut self, op: RelOp, a: &Term, b: &Term, base: u32) -> Result<bool, EvalError> {
        // Fast path: two numbers already (the usual `N < 100` context)
        // need no copies.
        if op != RelOp::Unify
            && let (Looked::Bound(x, _), Looked::Bound(y, _)) =
                (self.lookup(a, base), self.lookup(b, base))
        {
            let ord = match (x, y) {
                (Term::Int(p), Term::Int(q)) => Some(p.cmp(q)),
                (Term::Int(_) | Term::Float(_), Term::Int(_) | Term::Float(_)) => x
                    .as_f64()
                    .zip(y.as_f64())
                    .and_then(|(p, q)| p.partial_cmp(&q)),
                _ => None,
            };
            if let Some(ord) = ord {
                return Ok(match op {
                    RelOp::Lt => ord == Ordering::Less,
                    RelOp::Le => ord != Ordering::Greater,
                    RelOp::Gt => ord == Ordering::Greater,
                    RelOp::Ge => ord != Ordering::Less,
                    RelOp::Eq => ord == Ordering::Equal,
                    _ => ord != Ordering::Equal,
                });
            }
        }
        let x = self.resolve(a, base)?;
        let y = self.resolve(b, base)?;
        Ok(match op {
            RelOp::Eq => x.same(&y),
            RelOp::Ne => !x.same(&y),
            RelOp::Unify => self.unify(&x, 0, &y, 0),
            RelOp::Lt | RelOp::Le | RelOp::Gt | RelOp::Ge => {
                let ord = match (x.as_f64(), y.as_f64()) {
                    (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
                    _ => {
                        if matches!(x, Term::Ref(_)) || matches!(y, Term::Ref(_)) {
                            return Err(EvalError::Unbound);
                        }
                        compare_terms(&x, &y)
                    }
                };
                match op {
                    RelOp::Lt => ord == Ordering::Less,
                    RelOp::Le => ord != Ordering::Greater,
                    RelOp::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar(op: ArithOp, a: Term, b: Term) -> Term {
        Term::expr(Expr::Arith(op, a, b))
    }

    #[test]
    fn integer_and_float_arithmetic_stay_distinct() {
        let mut h = Heap::new();
        let v = |h: &mut Heap, t: Term| h.eval(&t, 0).map(|x| x.to_string());
        assert_eq!(
            v(&mut h, ar(ArithOp::Add, Term::Int(1), Term::Int(2))),
            Ok("3".into())
        );
        assert_eq!(
            v(&mut h, ar(ArithOp::Add, Term::Int(1), Term::Float(2.0))),
            Ok("3.0".into())
        );
        assert_eq!(
            v(&mut h, ar(ArithOp::Div, Term::Int(10), Term::Int(4))),
            Ok("2.5".into())
        );
        assert_eq!(
            v(&mut h, ar(ArithOp::IntDiv, Term::Int(7), Term::Int(2))),
            Ok("3".into())
        );
        assert_eq!(
            v(&mut h, ar(ArithOp::Mod, Term::Int(7), Term::Int(3))),
            Ok("1".into())
        );
        assert_eq!(
            v(&mut h, ar(ArithOp::Pow, Term::Int(2), Term::Int(10))),
            Ok("1024".into())
        );
        assert_eq!(
            v(&mut h, ar(ArithOp::Pow, Term::Int(2), Term::Int(-1))),
            Ok("0.5".into())
        );
        assert_eq!(
            v(&mut h, ar(ArithOp::Mod, Term::Int(7), Term::Int(0))),
            Err(EvalError::DivisionByZero)
        );
        assert!(matches!(
            v(&mut h, ar(ArithOp::Mul, Term::atom("a"), Term::Int(0))),
            Err(EvalError::Type { .. })
        ));
        let b = h.alloc(1);
        assert_eq!(
            h.eval(&ar(ArithOp::Add, Term::Var(0), Term::Int(1)), b),
            Err(EvalError::Unbound)
        );
    }

    #[test]
    fn comparisons() {
        let mut h = Heap::new();
        assert_eq!(
            h.compare(RelOp::Lt, &Term::Int(1), &Term::Float(1.5), 0),
            Ok(true)
        );
        assert_eq!(
            h.compare(RelOp::Ge, &Term::Int(2), &Term::Int(2), 0),
            Ok(true)
        );
        assert_eq!(
            h.compare(RelOp::Eq, &Term::Int(2), &Term::Float(2.0), 0),
            Ok(true)
        );
        assert_eq!(
            h.compare(RelOp::Ne, &Term::atom("a"), &Term::atom("b"), 0),
            Ok(true)
        );
        assert_eq!(
            h.compare(RelOp::Lt, &Term::string("abc"), &Term::string("abd"), 0),
            Ok(true)
        );
    }
}
