//! Internal actions with effects on the agent: printing, sending,
//! waiting, failing, dropping and succeeding goals, stopping, and changing
//! beliefs and plans wholesale. They run only as plan body steps.

use crate::agent::Agent;
use crate::cycle::{Failure, Outcome};
use crate::error::ActionError;
use crate::intention::{Intention, Wait};
use crate::message::{OutMessage, Performative};
use crate::parser::{parse_plan, parse_trigger};
use crate::plan::{GoalKind, TriggerOp};
use crate::term::Term;
use crate::unify::{Heap, detach};

/// How `drop_matching_goals` treats a matching goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoalDrop {
    /// `.succeed_goal`: remove the goal's means as if it had succeeded.
    Succeed,
    /// `.drop_intention`: remove whole intentions that have the goal.
    Intention,
    /// `.drop_desire` / `unachieve`: as `Intention`, and pending `+!g`
    /// events too.
    Desire,
}

fn bad(action: &str, message: String) -> ActionError {
    ActionError::BadArgument {
        action: action.to_string(),
        message,
    }
}

fn goal_matches(pattern: &(Term, u32), goal: &Term) -> bool {
    let (g, n) = detach(goal);
    let mut h = Heap::new();
    let p = h.attach(&pattern.0, pattern.1);
    let g = h.attach(&g, n);
    h.unify(&p, 0, &g, 0)
}

/// Index of the top-most `+!g` means matching `pattern`.
fn matching_depth(int: &Intention, pattern: &(Term, u32)) -> Option<usize> {
    (0..int.stack.len()).rev().find(|&i| {
        let im = &int.stack[i];
        im.is_achieve()
            && goal_matches(
                pattern,
                &int.heap.substitute(&im.plan.trigger.literal, im.base),
            )
    })
}

fn pop_to(int: &mut Intention, depth: usize) {
    while int.stack.len() > depth {
        int.pop();
    }
}

impl Agent {
    /// Runs a body-only internal action.
    pub(crate) fn control(
        &mut self,
        int: &mut Intention,
        name: &str,
        t: &Term,
        base: u32,
        line: usize,
    ) -> Outcome {
        match self.control_inner(int, name, t, base, line) {
            Ok(o) => o,
            Err(e) => Outcome::Fail(Failure::new(e.kind(), e.to_string(), line)),
        }
    }

    fn control_inner(
        &mut self,
        int: &mut Intention,
        name: &str,
        t: &Term,
        base: u32,
        line: usize,
    ) -> Result<Outcome, ActionError> {
        let args = t.args();
        let arg = |i: usize| -> Result<Term, ActionError> {
            match args.get(i) {
                Some(a) => Ok(int.heap.resolve(a, base)?),
                None => Err(bad(name, "missing argument".into())),
            }
        };
        match name {
            ".print" | ".println" => {
                let mut text = String::new();
                for i in 0..args.len() {
                    if i > 0 {
                        text.push(' ');
                    }
                    text.push_str(&arg(i)?.print_text());
                }
                self.prints.push(text);
                Ok(Outcome::Continue)
            }
            ".send" | ".broadcast" => {
                let (to, rest) = if name == ".send" {
                    (Some(arg(0)?), 1)
                } else {
                    (None, 0)
                };
                let ilf = arg(rest)?;
                let performative: Performative = match &ilf {
                    Term::Atom(s) => s.as_str().parse().map_err(|e| bad(name, format!("{e}")))?,
                    other => {
                        return Err(bad(name, format!("expected a performative, got {other}")));
                    }
                };
                let content = arg(rest + 1)?;
                let (content, _) = detach(&content);
                let receivers: Option<Vec<String>> = match to {
                    None => None,
                    Some(Term::Atom(s)) => Some(vec![s.as_str().to_string()]),
                    Some(Term::Str(s)) => Some(vec![s.to_string()]),
                    Some(l @ (Term::Cons(_) | Term::Nil)) => Some(
                        l.list_items()
                            .unwrap_or_default()
                            .iter()
                            .map(|r| match r {
                                Term::Str(s) => s.to_string(),
                                other => other.print_text(),
                            })
                            .collect(),
                    ),
                    Some(other) => {
                        return Err(bad(name, format!("expected a receiver name, got {other}")));
                    }
                };
                let ask = matches!(performative, Performative::AskOne | Performative::AskAll);
                if ask && name == ".send" && args.len() >= 4 {
                    let receiver = match receivers.as_deref() {
                        Some([r]) => r.clone(),
                        _ => {
                            return Err(bad(
                                name,
                                "an ask with an answer needs exactly one receiver".into(),
                            ));
                        }
                    };
                    let answer = arg(3)?;
                    let deadline = match args.get(4) {
                        Some(_) => match arg(4)?.as_f64() {
                            Some(ms) => Some(self.now.saturating_add(ms.max(0.0) as u64)),
                            None => {
                                return Err(bad(
                                    name,
                                    "timeout must be a number of milliseconds".into(),
                                ));
                            }
                        },
                        None => None,
                    };
                    let id = self.new_message_id();
                    self.stats.messages_out += 1;
                    self.outbox.push(OutMessage {
                        receiver: Some(receiver),
                        performative,
                        content,
                        reply_with: Some(id.clone()),
                        in_reply_to: None,
                    });
                    return Ok(Outcome::Suspend(Wait::Reply {
                        id,
                        answer,
                        deadline,
                    }));
                }
                let in_reply_to = if !ask && args.len() == 4 {
                    Some(match arg(3)? {
                        Term::Str(s) => s.to_string(),
                        other => other.print_text(),
                    })
                } else {
                    None
                };
                let targets: Vec<Option<String>> = match receivers {
                    None => vec![None],
                    Some(v) => v.into_iter().map(Some).collect(),
                };
                for receiver in targets {
                    let reply_with = if ask {
                        Some(self.new_message_id())
                    } else {
                        None
                    };
                    self.stats.messages_out += 1;
                    self.outbox.push(OutMessage {
                        receiver,
                        performative,
                        content: content.clone(),
                        reply_with,
                        in_reply_to: in_reply_to.clone(),
                    });
                }
                Ok(Outcome::Continue)
            }
            ".wait" => {
                let first = arg(0)?;
                let ms = |t: &Term| -> Result<u64, ActionError> {
                    t.as_f64()
                        .map(|m| m.max(0.0) as u64)
                        .ok_or_else(|| bad(name, format!("expected milliseconds, got {t}")))
                };
                match (&first, args.len()) {
                    (Term::Str(ev), n) => {
                        let (trigger, nvars) =
                            parse_trigger(ev).map_err(|e| bad(name, e.message))?;
                        let deadline = if n == 2 {
                            Some(self.now.saturating_add(ms(&arg(1)?)?))
                        } else {
                            None
                        };
                        Ok(Outcome::Suspend(Wait::Event {
                            op: trigger.op,
                            kind: trigger.kind,
                            pattern: trigger.literal,
                            nvars,
                            deadline,
                        }))
                    }
                    (_, 1) => Ok(Outcome::Suspend(Wait::Until(
                        self.now.saturating_add(ms(&first)?),
                    ))),
                    _ => Err(bad(name, format!("expected an event string, got {first}"))),
                }
            }
            ".fail" => Ok(Outcome::Fail(Failure::new(
                "ia_failed",
                ".fail".into(),
                line,
            ))),
            ".stopMAS" => {
                self.stopped = true;
                Ok(Outcome::Continue)
            }
            ".succeed_goal" | ".drop_intention" | ".drop_desire" => {
                let mode = match name {
                    ".succeed_goal" => GoalDrop::Succeed,
                    ".drop_intention" => GoalDrop::Intention,
                    _ => GoalDrop::Desire,
                };
                if args.is_empty() {
                    return Ok(Outcome::Drop);
                }
                let pattern = detach(&arg(0)?);
                Ok(self.drop_matching_goals(&pattern, Some(int), mode))
            }
            ".drop_all_desires" | ".drop_all_intentions" => {
                self.event_waiters = 0;
                self.active.clear();
                self.waiting.clear();
                if name == ".drop_all_desires" {
                    self.events.clear();
                } else {
                    self.events.retain(|e| e.intention.is_none());
                }
                Ok(Outcome::Drop)
            }
            ".drop_all_events" => {
                let events = std::mem::take(&mut self.events);
                for ev in events {
                    if let Some(i) = ev.intention {
                        self.events.push_back(crate::event::Event {
                            intention: Some(i),
                            ..crate::event::Event::external(ev.op, ev.kind, ev.term, ev.nvars)
                        });
                    }
                }
                Ok(Outcome::Continue)
            }
            ".abolish" => {
                let pattern = arg(0)?;
                let Some((f, a)) = pattern.functor_arity() else {
                    return Err(bad(name, format!("expected a literal, got {pattern}")));
                };
                let hits: Vec<Term> = self
                    .beliefs
                    .candidates(f, a, None)
                    .filter(|b| {
                        let mut h = Heap::new();
                        let (p, n) = detach(&pattern);
                        let p = h.attach(&p, n);
                        let bt = h.attach(&b.term, b.nvars);
                        h.unify(&p, 0, &bt, 0)
                    })
                    .map(|b| b.term.clone())
                    .collect();
                for b in hits {
                    self.beliefs.remove(&b, &[]);
                }
                Ok(Outcome::Continue)
            }
            ".add_plan" => {
                let text = match arg(0)? {
                    Term::Str(s) => s.to_string(),
                    other => other.to_string(),
                };
                let plan =
                    parse_plan(&text, "<.add_plan>").map_err(|e| bad(name, e.to_string()))?;
                self.plans.add(plan);
                Ok(Outcome::Continue)
            }
            ".remove_plan" => {
                let label = arg(0)?;
                self.plans.remove_labelled(&label);
                Ok(Outcome::Continue)
            }
            _ => Err(ActionError::Unknown {
                name: name.to_string(),
                arity: args.len(),
            }),
        }
    }

    /// Applies `mode` to every goal matching `pattern`, in the current
    /// intention (if given) and all others, and in pending events.
    /// Returns what happens to the current intention.
    pub(crate) fn drop_matching_goals(
        &mut self,
        pattern: &(Term, u32),
        current: Option<&mut Intention>,
        mode: GoalDrop,
    ) -> Outcome {
        let mut outcome = Outcome::Continue;
        if let Some(int) = current
            && let Some(d) = matching_depth(int, pattern)
        {
            match mode {
                GoalDrop::Succeed => pop_to(int, d),
                _ => outcome = Outcome::Drop,
            }
        }
        let active = std::mem::take(&mut self.active);
        for mut int in active {
            match matching_depth(&int, pattern) {
                Some(d) if mode == GoalDrop::Succeed => {
                    pop_to(&mut int, d);
                    if !int.stack.is_empty() {
                        self.active.push_back(int);
                    }
                }
                Some(_) => {}
                None => self.active.push_back(int),
            }
        }
        let waiting = std::mem::take(&mut self.waiting);
        for mut int in waiting {
            match matching_depth(&int, pattern) {
                Some(d) => {
                    if matches!(int.wait, Some(Wait::Event { .. })) {
                        self.event_waiters = self.event_waiters.saturating_sub(1);
                    }
                    if mode == GoalDrop::Succeed {
                        pop_to(&mut int, d);
                        int.wait = None;
                        if !int.stack.is_empty() {
                            self.active.push_back(int);
                        }
                    }
                }
                None => self.waiting.push(int),
            }
        }
        let events = std::mem::take(&mut self.events);
        for mut ev in events {
            let is_goal = ev.op == TriggerOp::Add && ev.kind == GoalKind::Achieve;
            let own_goal = is_goal
                && match &ev.intention {
                    Some(int) => goal_matches(pattern, &int.heap.substitute(&ev.term, 0)),
                    None => goal_matches(pattern, &ev.term),
                };
            match ev.intention.take() {
                Some(mut int) => {
                    if let Some(d) = matching_depth(&int, pattern) {
                        if mode == GoalDrop::Succeed {
                            pop_to(&mut int, d);
                            if !int.stack.is_empty() {
                                self.active.push_back(int);
                            }
                        }
                    } else if own_goal {
                        // The pending sub-goal itself: succeeding it lets
                        // the intention go on; dropping drops it.
                        if mode == GoalDrop::Succeed {
                            self.active.push_back(int);
                        }
                    } else {
                        ev.intention = Some(int);
                        self.events.push_back(ev);
                    }
                }
                None => {
                    if !(own_goal && mode != GoalDrop::Intention) {
                        self.events.push_back(ev);
                    }
                }
            }
        }
        outcome
    }
}
