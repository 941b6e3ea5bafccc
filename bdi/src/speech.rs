//! Speech acts, receiving side: what an incoming message does to the
//! agent (Jason's KQML semantics), and answering asks.
//!
//! * `tell` adds the content with `source(Sender)` (raising `+b`), `untell`
//!   removes that source;
//! * `achieve` raises the external goal `+!content[source(Sender)]`,
//!   `unachieve` drops that desire;
//! * `askOne` / `askAll` are answered at once from the beliefs and rules
//!   with a `tell` carrying `in_reply_to` (askOne with nothing to say
//!   answers `untell`, which the asker sees as `false`);
//! * `tellHow` adds the plan given as a string, `untellHow` removes plans
//!   by label;
//! * a message whose `in_reply_to` matches a suspended ask resumes that
//!   intention with the answer instead.

use crate::agent::{Agent, Report, source};
use crate::event::Event;
use crate::intention::Wait;
use crate::message::{InMessage, OutMessage, Performative};
use crate::parser::parse_plan;
use crate::plan::{GoalKind, TriggerOp};
use crate::solve::solve;
use crate::symbol::Symbol;
use crate::term::Term;
use crate::unify::{Heap, detach};

use crate::cycle::{Failure, current_line, env};

/// The content with its `source(...)` annotations replaced by
/// `source(sender)`.
fn from_sender(content: &Term, sender: Symbol) -> Term {
    let mut annots: Vec<Term> = content
        .annots()
        .iter()
        .filter(|a| a.functor() != Some(Symbol::SOURCE))
        .cloned()
        .collect();
    annots.push(source(sender));
    content.with_annots(annots)
}

impl Agent {
    /// Handles one incoming message.
    pub fn handle_message(&mut self, msg: InMessage) {
        self.stats.messages_in += 1;
        if let Some(id) = &msg.in_reply_to
            && let Some(pos) = self
                .waiting
                .iter()
                .position(|i| matches!(&i.wait, Some(Wait::Reply { id: w, .. }) if w == id))
        {
            self.resume_ask(pos, &msg);
            return;
        }
        let sender = Symbol::intern(&msg.sender);
        match msg.performative {
            Performative::Tell => {
                if msg.content.is_literal() {
                    self.add_belief_with_event(from_sender(&msg.content, sender), msg.content_vars);
                }
            }
            Performative::Untell => {
                self.remove_belief_with_event(&msg.content, &[source(sender)]);
            }
            Performative::Achieve => {
                if msg.content.is_literal() {
                    let g = from_sender(&msg.content, sender);
                    self.push_external_event(Event::external(
                        TriggerOp::Add,
                        GoalKind::Achieve,
                        g,
                        msg.content_vars,
                    ));
                }
            }
            Performative::Unachieve => {
                let pattern = (msg.content.clone(), msg.content_vars);
                self.drop_matching_goals(&pattern, None, crate::actions::control::GoalDrop::Desire);
            }
            Performative::AskOne | Performative::AskAll => self.answer_ask(&msg),
            Performative::TellHow => {
                let text = match &msg.content {
                    Term::Str(s) => s.to_string(),
                    other => other.to_string(),
                };
                match parse_plan(&text, &format!("<tellHow from {}>", msg.sender)) {
                    Ok(plan) => self.plans.add(plan),
                    Err(e) => self.reports.push(Report::BadMessage {
                        sender: msg.sender.clone(),
                        message: e.to_string(),
                    }),
                }
            }
            Performative::UntellHow => {
                self.plans.remove_labelled(&msg.content);
            }
        }
    }

    fn answer_ask(&mut self, msg: &InMessage) {
        let mut heap = Heap::new();
        let q = heap.attach(&msg.content, msg.content_vars);
        let all = msg.performative == Performative::AskAll;
        let mut answers = Vec::new();
        let result = {
            let mut env = env!(self, None);
            solve(&mut env, &mut heap, &q, 0, 0, &mut |_, h| {
                answers.push(h.substitute(&q, 0));
                Ok(!all)
            })
        };
        if let Err(e) = result {
            self.reports.push(Report::BadMessage {
                sender: msg.sender.clone(),
                message: format!("ask {}: {e}", msg.content),
            });
        }
        let (performative, content) = if all {
            (Performative::Tell, detach(&Term::list(answers)).0)
        } else {
            match answers.into_iter().next() {
                Some(a) => (Performative::Tell, detach(&a).0),
                None => (Performative::Untell, msg.content.clone()),
            }
        };
        self.stats.messages_out += 1;
        self.outbox.push(OutMessage {
            receiver: Some(msg.sender.clone()),
            performative,
            content,
            reply_with: None,
            in_reply_to: msg.reply_with.clone(),
        });
    }

    fn resume_ask(&mut self, pos: usize, msg: &InMessage) {
        let mut int = self.waiting.remove(pos);
        let Some(Wait::Reply { answer, .. }) = int.wait.take() else {
            self.active.push_back(int);
            return;
        };
        let value = if msg.performative == Performative::Untell {
            Term::Atom(Symbol::FALSE)
        } else {
            int.heap.attach(&msg.content, msg.content_vars)
        };
        if int.heap.unify(&answer, 0, &value, 0) {
            self.active.push_back(int);
        } else {
            let line = current_line(&int);
            self.fail(
                int,
                Failure::new(
                    "ask_answer",
                    format!("answer {value} does not unify with {answer}"),
                    line,
                ),
            );
        }
    }
}
