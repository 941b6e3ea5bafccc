//! Recursive-descent parser for Jason's AgentSpeak: initial beliefs, rules,
//! initial goals and plans, plus single terms (message content) and
//! triggering events (`.wait("+b")`).
//!
//! Variables are numbered per clause (a plan's trigger, context and body
//! share one numbering); `_` is a fresh variable at each occurrence. Plan
//! bodies are compiled to [`Step`]s with `if`/`while`/`for` turned into
//! jumps. Syntax errors name file, line, column and what was expected;
//! parsing resumes at the next clause so that one run reports them all.

use std::collections::HashMap;

use crate::belief_base::Rule;
use crate::error::ParseError;
use crate::lexer::{Tok, Token, tokenize};
use crate::plan::{GoalKind, Plan, PlanStep, Step, Trigger, TriggerOp};
use crate::symbol::Symbol;
use crate::term::{ArithOp, Expr, RelOp, Term};
use crate::unify::vars_to_refs;

/// Where an internal action is called, for checking names and arities
/// before the program starts.
#[derive(Clone, Debug)]
pub struct InternalCall {
    /// Name with the leading dot.
    pub name: String,
    /// Number of arguments.
    pub arity: usize,
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

/// A parsed program.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// File name used in messages.
    pub file: String,
    /// Initial beliefs (detached data terms) with their cell counts.
    pub beliefs: Vec<(Term, u32)>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Initial achievement goals (detached data terms).
    pub goals: Vec<(Term, u32)>,
    /// Plans in source order.
    pub plans: Vec<Plan>,
    /// Every internal action call in the text.
    pub internal_calls: Vec<InternalCall>,
}

struct Parser<'a> {
    toks: Vec<Token>,
    pos: usize,
    file: &'a str,
    vars: HashMap<String, u32>,
    var_names: Vec<String>,
    calls: Vec<InternalCall>,
    depth: u32,
}

type PResult<T> = Result<T, ParseError>;

/// Deepest nesting of terms and expressions accepted. The parser recurses,
/// and message content comes from outside: without a limit a few
/// kilobytes of brackets would overflow the stack.
pub const MAX_NESTING: u32 = 200;

/// Parses a whole program. All syntax errors are returned.
pub fn parse_program(src: &str, file: &str) -> Result<Program, Vec<ParseError>> {
    let toks = tokenize(src, file).map_err(|e| vec![e])?;
    let mut p = Parser::new(toks, file);
    let mut prog = Program {
        file: file.to_string(),
        ..Program::default()
    };
    let mut errors = Vec::new();
    while p.peek() != &Tok::Eof {
        if let Err(e) = p.clause(&mut prog) {
            errors.push(e);
            p.skip_clause();
        }
    }
    prog.internal_calls = std::mem::take(&mut p.calls);
    if errors.is_empty() {
        Ok(prog)
    } else {
        Err(errors)
    }
}

/// Parses one term (message content, host input). Variables become
/// detached cells `Ref(0..n)`; returns the term and `n`.
pub fn parse_term(src: &str) -> Result<(Term, u32), ParseError> {
    let toks = tokenize(src, "<term>")?;
    let mut p = Parser::new(toks, "<term>");
    let t = p.log_or()?;
    if p.peek() == &Tok::End {
        p.bump();
    }
    if p.peek() != &Tok::Eof {
        return Err(p.error("end of term"));
    }
    Ok((vars_to_refs(&t), p.nvars()))
}

/// Parses one plan (for `tellHow` and runtime plan addition).
pub fn parse_plan(src: &str, file: &str) -> Result<Plan, ParseError> {
    let mut src = src.trim().to_string();
    if !src.ends_with('.') {
        src.push('.');
    }
    let toks = tokenize(&src, file)?;
    let mut p = Parser::new(toks, file);
    let plan = p.plan()?;
    if p.peek() != &Tok::Eof {
        return Err(p.error("end of plan"));
    }
    Ok(plan)
}

/// Parses a triggering event such as `+b(X)` or `+!g` (for `.wait`).
/// Variables become detached cells; returns the trigger and cell count.
pub fn parse_trigger(src: &str) -> Result<(Trigger, u32), ParseError> {
    let toks = tokenize(src, "<event>")?;
    let mut p = Parser::new(toks, "<event>");
    let mut t = p.trigger()?;
    if p.peek() == &Tok::End {
        p.bump();
    }
    if p.peek() != &Tok::Eof {
        return Err(p.error("end of event"));
    }
    t.literal = vars_to_refs(&t.literal);
    Ok((t, p.nvars()))
}

impl<'a> Parser<'a> {
    fn new(toks: Vec<Token>, file: &'a str) -> Parser<'a> {
        Parser {
            toks,
            pos: 0,
            file,
            vars: HashMap::new(),
            var_names: Vec::new(),
            calls: Vec::new(),
            depth: 0,
        }
    }

    fn nvars(&self) -> u32 {
        u32::try_from(self.var_names.len()).unwrap_or(u32::MAX)
    }

    fn token(&self) -> &Token {
        // The token list always ends with Eof and `bump` never passes it.
        let last = self.toks.len().saturating_sub(1);
        &self.toks[self.pos.min(last)]
    }

    fn peek(&self) -> &Tok {
        &self.token().tok
    }

    fn peek_at(&self, n: usize) -> &Tok {
        let last = self.toks.len().saturating_sub(1);
        &self.toks[(self.pos + n).min(last)].tok
    }

    fn bump(&mut self) {
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
    }

    fn line(&self) -> usize {
        self.token().line
    }

    /// Runs `f` one nesting level deeper, failing beyond [`MAX_NESTING`].
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_NESTING {
            let t = self.token();
            return Err(ParseError {
                file: self.file.to_string(),
                line: t.line,
                column: t.column,
                message: format!("terms nested deeper than {MAX_NESTING} levels"),
            });
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn error(&self, expected: &str) -> ParseError {
        let t = self.token();
        ParseError {
            file: self.file.to_string(),
            line: t.line,
            column: t.column,
            message: format!("expected {expected}, found {}", t.tok.describe()),
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_atom(&self, a: &str) -> bool {
        matches!(self.peek(), Tok::Atom(s) if s == a)
    }

    fn expect_punct(&mut self, p: &str) -> PResult<()> {
        if self.is_punct(p) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(&format!("'{p}'")))
        }
    }

    fn expect_end(&mut self, what: &str) -> PResult<()> {
        if self.peek() == &Tok::End {
            self.bump();
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn skip_clause(&mut self) {
        while !matches!(self.peek(), Tok::End | Tok::Eof) {
            self.bump();
        }
        if self.peek() == &Tok::End {
            self.bump();
        }
    }

    fn reset_vars(&mut self) {
        self.vars.clear();
        self.var_names.clear();
    }

    fn var(&mut self, name: &str) -> Term {
        if name != "_"
            && let Some(&i) = self.vars.get(name)
        {
            return Term::Var(i);
        }
        let i = self.nvars();
        self.var_names.push(name.to_string());
        if name != "_" {
            self.vars.insert(name.to_string(), i);
        }
        Term::Var(i)
    }

    fn clause(&mut self, prog: &mut Program) -> PResult<()> {
        self.reset_vars();
        if self.is_punct("@") || self.is_punct("+") || self.is_punct("-") {
            let plan = self.plan()?;
            prog.plans.push(plan);
            return Ok(());
        }
        if self.is_punct("!") {
            self.bump();
            let g = self.literal()?;
            self.expect_end("'.' after initial goal")?;
            prog.goals.push((vars_to_refs(&g), self.nvars()));
            return Ok(());
        }
        let lit = self.literal()?;
        if self.is_punct(":-") {
            self.bump();
            let body = self.log_or()?;
            self.expect_end("'.' after rule body")?;
            prog.rules.push(Rule {
                head: lit,
                body,
                nvars: self.nvars(),
            });
            return Ok(());
        }
        self.expect_end("'.', ':-' or '(' after belief")?;
        prog.beliefs.push((vars_to_refs(&lit), self.nvars()));
        Ok(())
    }

    fn trigger(&mut self) -> PResult<Trigger> {
        let op = if self.is_punct("+") {
            TriggerOp::Add
        } else if self.is_punct("-") {
            TriggerOp::Remove
        } else {
            return Err(self.error("'+' or '-' starting a triggering event"));
        };
        self.bump();
        let kind = if self.is_punct("!") {
            self.bump();
            GoalKind::Achieve
        } else if self.is_punct("?") {
            self.bump();
            GoalKind::Test
        } else {
            GoalKind::Belief
        };
        let literal = self.literal_or_var()?;
        Ok(Trigger { op, kind, literal })
    }

    fn plan(&mut self) -> PResult<Plan> {
        self.reset_vars();
        let line = self.line();
        let label = if self.is_punct("@") {
            self.bump();
            Some(self.literal()?)
        } else {
            None
        };
        let trigger = self.trigger()?;
        let context = if self.is_punct(":") {
            self.bump();
            Some(self.log_or()?)
        } else {
            None
        };
        let mut body = Vec::new();
        if self.is_punct("<-") {
            self.bump();
            self.body(&mut body)?;
        }
        self.expect_end("';' or '.' ending the plan")?;
        Ok(Plan {
            label,
            trigger,
            context,
            body,
            nvars: self.nvars(),
            var_names: self.var_names.clone(),
            line,
        })
    }

    fn body(&mut self, out: &mut Vec<PlanStep>) -> PResult<()> {
        loop {
            let was_block = self.body_formula(out)?;
            if self.is_punct(";") {
                self.bump();
                if self.is_punct("}") || self.peek() == &Tok::End {
                    return Ok(());
                }
                continue;
            }
            // `if (...) {...} .print(x)` — Jason lets a block end a
            // formula without ';'.
            if was_block && !self.is_punct("}") && self.peek() != &Tok::End {
                continue;
            }
            return Ok(());
        }
    }

    fn block(&mut self, out: &mut Vec<PlanStep>) -> PResult<()> {
        self.nested(|p| p.block_inner(out))
    }

    fn block_inner(&mut self, out: &mut Vec<PlanStep>) -> PResult<()> {
        self.expect_punct("{")?;
        if !self.is_punct("}") {
            self.body(out)?;
        }
        self.expect_punct("}")
    }

    fn paren_cond(&mut self) -> PResult<Term> {
        self.expect_punct("(")?;
        let c = self.log_or()?;
        self.expect_punct(")")?;
        Ok(c)
    }

    /// Parses one body formula; returns whether it was a block statement.
    fn body_formula(&mut self, out: &mut Vec<PlanStep>) -> PResult<bool> {
        let line = self.line();
        let push = |out: &mut Vec<PlanStep>, step| out.push(PlanStep { step, line });
        let keyword_block = matches!(self.peek_at(1), Tok::Punct("("));
        if keyword_block && self.is_atom("if") {
            self.if_chain(out)?;
            return Ok(true);
        }
        if keyword_block && self.is_atom("while") {
            self.bump();
            let cond = self.paren_cond()?;
            push(out, Step::LoopStart);
            let test = out.len();
            push(out, Step::While { cond, exit: 0 });
            self.block(out)?;
            push(out, Step::Jump(test));
            let end = out.len();
            if let Some(PlanStep {
                step: Step::While { exit, .. },
                ..
            }) = out.get_mut(test)
            {
                *exit = end;
            }
            return Ok(true);
        }
        if keyword_block && self.is_atom("for") {
            self.bump();
            let cond = self.paren_cond()?;
            push(out, Step::ForStart { cond });
            let next = out.len();
            push(out, Step::ForNext { exit: 0 });
            self.block(out)?;
            push(out, Step::Jump(next));
            let end = out.len();
            if let Some(PlanStep {
                step: Step::ForNext { exit },
                ..
            }) = out.get_mut(next)
            {
                *exit = end;
            }
            return Ok(true);
        }
        let step = match self.peek() {
            Tok::Punct("!") => {
                self.bump();
                Step::Achieve(self.literal_or_var()?)
            }
            Tok::Punct("!!") => {
                self.bump();
                Step::AchieveNew(self.literal_or_var()?)
            }
            Tok::Punct("?") => {
                self.bump();
                Step::Test(self.literal_or_var()?)
            }
            Tok::Punct("+") => {
                self.bump();
                Step::AddBelief(self.literal_or_var()?)
            }
            Tok::Punct("-") => {
                self.bump();
                Step::RemoveBelief(self.literal_or_var()?)
            }
            Tok::Punct("-+") => {
                self.bump();
                Step::ReplaceBelief(self.literal_or_var()?)
            }
            _ => {
                let t = self.log_or()?;
                match &t {
                    Term::Atom(s) if *s == Symbol::TRUE => return Ok(false),
                    Term::Atom(_) | Term::Struct(_)
                        if t.functor().is_some_and(is_internal_name) =>
                    {
                        Step::Internal(t)
                    }
                    Term::Atom(_) | Term::Struct(_) => Step::Action(t),
                    _ => Step::Formula(t),
                }
            }
        };
        push(out, step);
        Ok(false)
    }

    fn if_chain(&mut self, out: &mut Vec<PlanStep>) -> PResult<()> {
        let line = self.line();
        self.bump(); // `if`
        let mut end_jumps = Vec::new();
        let mut cond = self.paren_cond()?;
        loop {
            let at = out.len();
            out.push(PlanStep {
                step: Step::If { cond, otherwise: 0 },
                line,
            });
            self.block(out)?;
            let is_elif = self.is_atom("elif")
                || (self.is_atom("else") && matches!(self.peek_at(1), Tok::Atom(s) if s == "if"));
            let is_else = !is_elif && self.is_atom("else");
            if is_elif || is_else {
                end_jumps.push(out.len());
                out.push(PlanStep {
                    step: Step::Jump(0),
                    line,
                });
            }
            let here = out.len();
            if let Some(PlanStep {
                step: Step::If { otherwise, .. },
                ..
            }) = out.get_mut(at)
            {
                *otherwise = here;
            }
            if is_elif {
                if self.is_atom("else") {
                    self.bump();
                }
                self.bump();
                cond = self.paren_cond()?;
                continue;
            }
            if is_else {
                self.bump();
                self.block(out)?;
            }
            break;
        }
        let end = out.len();
        for j in end_jumps {
            if let Some(PlanStep {
                step: Step::Jump(t),
                ..
            }) = out.get_mut(j)
            {
                *t = end;
            }
        }
        Ok(())
    }

    fn literal_or_var(&mut self) -> PResult<Term> {
        if let Tok::Var(name) = self.peek().clone() {
            self.bump();
            return Ok(self.var(&name));
        }
        self.literal()
    }

    fn literal(&mut self) -> PResult<Term> {
        let (line, column) = (self.token().line, self.token().column);
        let neg = if self.is_punct("~") {
            self.bump();
            true
        } else {
            false
        };
        let name = match self.peek().clone() {
            Tok::Atom(s) => s,
            Tok::Internal(s) if !neg => s,
            _ => return Err(self.error("a literal (lower-case name)")),
        };
        self.bump();
        let name = if neg { format!("~{name}") } else { name };
        let mut args = Vec::new();
        if self.is_punct("(") {
            self.bump();
            if self.is_punct(")") {
                return Err(self.error("an argument"));
            }
            loop {
                args.push(self.log_or()?);
                if self.is_punct(",") {
                    self.bump();
                    continue;
                }
                self.expect_punct(")")?;
                break;
            }
        }
        let mut annots = Vec::new();
        if self.is_punct("[") {
            self.bump();
            if !self.is_punct("]") {
                loop {
                    annots.push(self.log_or()?);
                    if self.is_punct(",") {
                        self.bump();
                        continue;
                    }
                    break;
                }
            }
            self.expect_punct("]")?;
        }
        if name.starts_with('.') {
            self.calls.push(InternalCall {
                name: name.clone(),
                arity: args.len(),
                line,
                column,
            });
        }
        Ok(Term::structure(Symbol::intern(&name), args, annots))
    }

    fn log_or(&mut self) -> PResult<Term> {
        let mut t = self.log_and()?;
        while self.is_punct("|") {
            self.bump();
            let r = self.log_and()?;
            t = Term::expr(Expr::Or(t, r));
        }
        Ok(t)
    }

    fn log_and(&mut self) -> PResult<Term> {
        let mut t = self.log_not()?;
        while self.is_punct("&") {
            self.bump();
            let r = self.log_not()?;
            t = Term::expr(Expr::And(t, r));
        }
        Ok(t)
    }

    fn log_not(&mut self) -> PResult<Term> {
        if self.is_atom("not") && !matches!(self.peek_at(1), Tok::Punct(",") | Tok::Punct(")")) {
            self.bump();
            let t = self.nested(Self::log_not)?;
            return Ok(Term::expr(Expr::Not(t)));
        }
        self.rel()
    }

    fn rel(&mut self) -> PResult<Term> {
        let l = self.arith()?;
        let op = match self.peek() {
            Tok::Punct("<") => RelOp::Lt,
            Tok::Punct("<=") => RelOp::Le,
            Tok::Punct(">") => RelOp::Gt,
            Tok::Punct(">=") => RelOp::Ge,
            Tok::Punct("==") => RelOp::Eq,
            Tok::Punct("\\==") => RelOp::Ne,
            Tok::Punct("=") => RelOp::Unify,
            _ => return Ok(l),
        };
        self.bump();
        let r = self.arith()?;
        Ok(Term::expr(Expr::Rel(op, l, r)))
    }

    fn arith(&mut self) -> PResult<Term> {
        let mut t = self.mul()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("+") => ArithOp::Add,
                Tok::Punct("-") => ArithOp::Sub,
                _ => return Ok(t),
            };
            self.bump();
            let r = self.mul()?;
            t = Term::expr(Expr::Arith(op, t, r));
        }
    }

    fn mul(&mut self) -> PResult<Term> {
        let mut t = self.pow()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("*") => ArithOp::Mul,
                Tok::Punct("/") => ArithOp::Div,
                Tok::Atom(s) if s == "div" => ArithOp::IntDiv,
                Tok::Atom(s) if s == "mod" => ArithOp::Mod,
                _ => return Ok(t),
            };
            self.bump();
            let r = self.pow()?;
            t = Term::expr(Expr::Arith(op, t, r));
        }
    }

    fn pow(&mut self) -> PResult<Term> {
        let base = self.unary()?;
        if self.is_punct("**") {
            self.bump();
            let exp = self.nested(Self::pow)?;
            return Ok(Term::expr(Expr::Arith(ArithOp::Pow, base, exp)));
        }
        Ok(base)
    }

    fn unary(&mut self) -> PResult<Term> {
        if self.is_punct("-") {
            self.bump();
            let t = self.nested(Self::unary)?;
            // Fold negative literals so that `-3` is a number, not an
            // expression.
            return Ok(match t {
                Term::Int(i) => Term::Int(i.wrapping_neg()),
                Term::Float(f) => Term::Float(-f),
                other => Term::expr(Expr::Neg(other)),
            });
        }
        if self.is_punct("+") {
            self.bump();
            return self.nested(Self::unary);
        }
        self.primary()
    }

    fn primary(&mut self) -> PResult<Term> {
        self.nested(Self::primary_inner)
    }

    fn primary_inner(&mut self) -> PResult<Term> {
        match self.peek().clone() {
            Tok::Int(i) => {
                self.bump();
                Ok(Term::Int(i))
            }
            Tok::Float(f) => {
                self.bump();
                Ok(Term::Float(f))
            }
            Tok::Str(s) => {
                self.bump();
                Ok(Term::string(&s))
            }
            Tok::Var(name) => {
                self.bump();
                Ok(self.var(&name))
            }
            Tok::Punct("(") => {
                self.bump();
                let t = self.log_or()?;
                self.expect_punct(")")?;
                Ok(t)
            }
            Tok::Punct("[") => self.list(),
            Tok::Atom(_) | Tok::Internal(_) | Tok::Punct("~") => self.literal(),
            _ => Err(self.error("a term")),
        }
    }

    fn list(&mut self) -> PResult<Term> {
        self.expect_punct("[")?;
        if self.is_punct("]") {
            self.bump();
            return Ok(Term::Nil);
        }
        let mut items = Vec::new();
        loop {
            // Below `|`, which separates the tail here.
            items.push(self.log_and()?);
            if self.is_punct(",") {
                self.bump();
                continue;
            }
            break;
        }
        let tail = if self.is_punct("|") {
            self.bump();
            self.arith()?
        } else {
            Term::Nil
        };
        self.expect_punct("]")?;
        Ok(Term::list_with_tail(items, tail))
    }
}

fn is_internal_name(s: Symbol) -> bool {
    s.is_internal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prog(src: &str) -> Program {
        match parse_program(src, "t.asl") {
            Ok(p) => p,
            Err(e) => panic!("parse failed: {e:?}"),
        }
    }

    #[test]
    fn parses_beliefs_rules_goals_and_plans() {
        let p = prog(
            "b(1). c(X) :- b(X) & X > 0. !start.\n\
             @p1 +!start : b(N) & not c(2) <- .print(\"n\", N); !g(N+1); ?b(Y); +d; -d; -+e(1).\n\
             +b(X)[source(A)] <- true.\n-!g(_) <- .print(fail).",
        );
        assert_eq!(p.beliefs.len(), 1);
        assert_eq!(p.rules.len(), 1);
        assert_eq!(p.goals.len(), 1);
        assert_eq!(p.plans.len(), 3);
        let plan = &p.plans[0];
        assert_eq!(
            plan.label.as_ref().map(|l| l.to_string()),
            Some("p1".into())
        );
        assert_eq!(plan.trigger.text(), "+!start");
        assert_eq!(plan.body.len(), 6);
        assert!(matches!(plan.body[0].step, Step::Internal(_)));
        assert!(matches!(plan.body[5].step, Step::ReplaceBelief(_)));
        assert_eq!(plan.var_names, ["N", "Y"]);
        assert!(p.plans[1].body.is_empty());
        assert_eq!(p.internal_calls.len(), 2);
    }

    #[test]
    fn compiles_if_elif_else_to_jumps() {
        let p = prog(
            "+!g(X) <- if (X > 1) { .print(a) } elif (X > 0) { .print(b) } else { .print(c) }; .print(d).",
        );
        let steps: Vec<String> = p.plans[0]
            .body
            .iter()
            .map(|s| match &s.step {
                Step::If { otherwise, .. } => format!("if->{otherwise}"),
                Step::Jump(t) => format!("jump->{t}"),
                Step::Internal(t) => t.to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            steps,
            [
                "if->3",
                ".print(a)",
                "jump->7",
                "if->6",
                ".print(b)",
                "jump->7",
                ".print(c)",
                ".print(d)"
            ]
        );
    }

    #[test]
    fn compiles_loops() {
        let p = prog(
            "+!g <- while (c(X) & X < 3) { -+c(X+1) }; for (.member(Y, [1,2])) { .print(Y) }.",
        );
        let b = &p.plans[0].body;
        assert!(matches!(b[0].step, Step::LoopStart));
        assert!(matches!(b[1].step, Step::While { exit: 4, .. }));
        assert!(matches!(b[3].step, Step::Jump(1)));
        assert!(matches!(b[4].step, Step::ForStart { .. }));
        assert!(matches!(b[5].step, Step::ForNext { exit: 8 }));
        assert!(matches!(b[7].step, Step::Jump(5)));
    }

    #[test]
    fn operator_precedence() {
        let (t, _) = parse_term("1 + 2 * 3 ** 2 - -4").unwrap_or((Term::Nil, 0));
        assert_eq!(t.to_string(), "((1 + (2 * (3 ** 2))) - -4)");
        let (t, n) = parse_term("not a(X) & b | c").unwrap_or((Term::Nil, 0));
        assert_eq!(t.to_string(), "((not (a(_0)) & b) | c)");
        assert_eq!(n, 1);
    }

    #[test]
    fn terms_round_trip_through_text() {
        let src = "say(\"hello\", [1, 2.5, f(g(1), h)], ~rain[source(self)], 'Odd atom', [H|T])";
        let (t, n) = parse_term(src).unwrap_or((Term::Nil, 0));
        assert_eq!(n, 2);
        let text = t.to_string();
        let (again, _) = parse_term(&text).unwrap_or((Term::Nil, 0));
        assert_eq!(again.to_string(), text);
        assert!(text.contains("2.5") && text.contains("~rain[source(self)]"));
    }

    #[test]
    fn errors_name_file_line_column_and_expectation() {
        let e = parse_program("b(1).\n+!g <- .print(\"x\") .\nc(.", "bad.asl")
            .err()
            .unwrap_or_default();
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].file.as_str(), e[0].line, e[0].column),
            ("bad.asl", 3, 3)
        );
        assert!(
            e[0].message.starts_with("expected a term"),
            "{}",
            e[0].message
        );
        let e = parse_program("+!g <- .print(1)\n .print(2).", "x.asl")
            .err()
            .unwrap_or_default();
        assert!(e[0].message.contains("';' or '.'"), "{}", e[0].message);
        assert_eq!(e[0].line, 2);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for src in [
            "(".repeat(100_000),
            "[".repeat(100_000),
            "f(".repeat(100_000),
            "- ".repeat(100_000),
            "not ".repeat(100_000),
            "2**".repeat(100_000),
        ] {
            let e = parse_term(&src).err().map(|e| e.message);
            assert!(
                e.is_some_and(|m| m.contains("nested deeper")),
                "{}",
                &src[..10]
            );
        }
        let ok = format!("{}1{}", "[".repeat(150), "]".repeat(150));
        assert!(parse_term(&ok).is_ok());
        let deep_plan = format!("+!g <- {}.", "if (true) { ".repeat(50_000));
        let e = parse_plan(&deep_plan, "p").err().map(|e| e.message);
        assert!(e.is_some_and(|m| m.contains("nested deeper")));
    }

    #[test]
    fn parses_triggers_for_wait() {
        let (t, n) = parse_trigger("+!go(X)").unwrap_or((
            Trigger {
                op: TriggerOp::Remove,
                kind: GoalKind::Belief,
                literal: Term::Nil,
            },
            0,
        ));
        assert_eq!((t.op, t.kind, n), (TriggerOp::Add, GoalKind::Achieve, 1));
    }
}
