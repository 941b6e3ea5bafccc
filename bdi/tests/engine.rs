//! Behaviour of the engine through its public API: each reasoning-cycle
//! stage, speech acts, custom actions, the host-facing belief API, time,
//! determinism, checkpoints, and bad input that must never panic.

use agora_bdi::plan::{GoalKind, TriggerOp};
use agora_bdi::unify::Heap;
use agora_bdi::{Agent, AgentBuilder, OutMessage, Performative, Report, Term, parse_term};

fn agent(src: &str) -> Agent {
    agent_named("bob", src)
}

fn agent_named(name: &str, src: &str) -> Agent {
    match AgentBuilder::new(name).load(src, "test.asl") {
        Ok(a) => a,
        Err(e) => panic!("program does not load: {e}"),
    }
}

fn term(s: &str) -> Term {
    match parse_term(s) {
        Ok((t, _)) => t,
        Err(e) => panic!("bad term {s}: {e}"),
    }
}

fn run(a: &mut Agent) -> Vec<String> {
    a.run_until_idle(0, 100_000);
    a.take_prints()
}

mod stages {
    use super::*;

    #[test]
    fn select_event_takes_the_oldest_event() {
        let mut a = agent("!first. !second.");
        let e1 = a.select_event().map(|e| e.text());
        let e2 = a.select_event().map(|e| e.text());
        assert_eq!(e1.as_deref(), Some("+!first[source(self)]"));
        assert_eq!(e2.as_deref(), Some("+!second[source(self)]"));
        assert!(a.select_event().is_none());
    }

    #[test]
    fn relevant_plans_are_those_whose_trigger_unifies() {
        let a = agent(
            "+!g(1) <- .print(one). +!g(2) <- .print(two). +!g(X) <- .print(any). +g(1) <- true.",
        );
        let mut heap = Heap::new();
        let rel = a.relevant_plans(&mut heap, TriggerOp::Add, GoalKind::Achieve, &term("g(2)"));
        let lines: Vec<usize> = rel.iter().map(|p| p.body.len()).collect();
        assert_eq!(rel.len(), 2, "g(2) and g(X), not g(1) nor the belief plan");
        assert_eq!(lines, [1, 1]);
        assert!(
            heap.is_empty(),
            "relevance checking leaves the heap as it was"
        );
    }

    #[test]
    fn applicable_plans_filter_by_context_and_option_selection_takes_the_first() {
        let mut a = agent(
            "limit(5). +!g(X) : X > 10 <- .print(big). +!g(X) : limit(L) & X < L <- .print(small). +!g(X) <- .print(other).",
        );
        let mut heap = Heap::new();
        let ev = term("g(3)");
        let rel = a.relevant_plans(&mut heap, TriggerOp::Add, GoalKind::Achieve, &ev);
        assert_eq!(rel.len(), 3);
        let app = a.applicable_plans(&mut heap, &rel, &ev);
        assert_eq!(app.len(), 2);
        let opt = a.select_option(&mut heap, &rel, &ev, None);
        let chosen = opt.map(|o| o.plan.context.as_ref().map(|c| c.to_string()));
        assert_eq!(chosen, Some(Some("(limit(_V1) & (_V0 < _V1))".to_string())));
    }

    #[test]
    fn intentions_are_selected_round_robin_one_step_each() {
        let mut a = agent("+!a <- .print(a1); .print(a2). +!b <- .print(b1); .print(b2).");
        a.achieve(&term("a"));
        a.achieve(&term("b"));
        // Two cycles to turn both events into intentions.
        let e = a.select_event();
        if let Some(e) = e {
            a.handle_event(e);
        }
        let e = a.select_event();
        if let Some(e) = e {
            a.handle_event(e);
        }
        assert_eq!(a.intention_count(), 2);
        for _ in 0..4 {
            if let Some(i) = a.select_intention() {
                a.execute(i);
            }
        }
        assert_eq!(a.take_prints(), ["a1", "b1", "a2", "b2"]);
    }

    #[test]
    fn execute_runs_exactly_one_body_step() {
        let mut a = agent("!g. +!g <- .print(1); .print(2); .print(3).");
        let e = a.select_event();
        if let Some(e) = e {
            a.handle_event(e);
        }
        let i = a.select_intention();
        if let Some(i) = i {
            a.execute(i);
        }
        assert_eq!(a.take_prints(), ["1"]);
        let i = a.select_intention();
        if let Some(i) = i {
            a.execute(i);
        }
        assert_eq!(a.take_prints(), ["2"]);
    }

    #[test]
    fn sense_handles_one_message_per_cycle() {
        let mut a = agent("");
        for i in 0..3 {
            let r =
                a.push_message_text("alice", Performative::Tell, &format!("n({i})"), None, None);
            assert!(r.is_ok());
        }
        assert!(a.sense());
        assert_eq!(a.beliefs_of("n", 1).len(), 1);
        a.sense();
        a.sense();
        assert_eq!(a.beliefs_of("n", 1).len(), 3);
        assert!(!a.sense());
    }

    #[test]
    fn a_failed_step_raises_the_failure_event_with_the_intention() {
        let mut a = agent("+!g <- .fail. -!g <- .print(handled).");
        a.achieve(&term("g"));
        // One cycle: the plan is intended and `.fail` runs at once.
        a.step(0);
        // The failure plan is pending as an event carrying the intention.
        assert_eq!(a.intention_count(), 1);
        assert!(a.take_prints().is_empty());
        assert_eq!(run(&mut a), ["handled"]);
        assert!(a.take_reports().is_empty());
    }

    #[test]
    fn unhandled_failure_drops_the_intention_and_reports_it() {
        let mut a = agent("+!g(X) <- Y = X / 0; .print(Y); Z = a + 1.");
        a.achieve(&term("g(1)"));
        let prints = run(&mut a);
        assert_eq!(prints.len(), 1, "1/0 is a real division: inf");
        let reports = a.take_reports();
        assert!(
            matches!(&reports[..], [Report::IntentionDropped { root, reason }] if root == "+!g(1)" && reason.contains("type error")),
            "{reports:?}"
        );
        assert_eq!(a.stats().dropped_intentions, 1);
        assert!(a.is_quiescent());
    }

    #[test]
    fn context_errors_make_a_plan_not_applicable_and_are_reported() {
        let mut a = agent("+!g : X > 1 <- .print(never). +!g <- .print(fallback).");
        a.achieve(&term("g"));
        assert_eq!(run(&mut a), ["fallback"]);
        assert!(matches!(
            a.take_reports()[..],
            [Report::ContextError { .. }]
        ));
    }
}

mod speech {
    use super::*;

    fn only(out: Vec<OutMessage>) -> OutMessage {
        assert_eq!(out.len(), 1, "{out:?}");
        match out.into_iter().next() {
            Some(m) => m,
            None => unreachable!(),
        }
    }

    #[test]
    fn tell_adds_a_belief_with_the_sender_as_source() {
        let mut a = agent("+price(X)[source(S)] <- .print(S, X).");
        assert!(
            a.push_message_text("alice", Performative::Tell, "price(3)", None, None)
                .is_ok()
        );
        assert_eq!(run(&mut a), ["alice 3"]);
        assert_eq!(
            a.beliefs_of("price", 1)[0].to_string(),
            "price(3)[source(alice)]"
        );
        assert!(
            a.push_message_text("alice", Performative::Untell, "price(3)", None, None)
                .is_ok()
        );
        run(&mut a);
        assert!(a.beliefs_of("price", 1).is_empty());
    }

    #[test]
    fn achieve_keeps_structured_content_intact() {
        let mut a = agent("+!say(What, Who, T, L)[source(S)] <- .print(What, Who, T, L, S).");
        let r = a.push_message_text(
            "alice",
            Performative::Achieve,
            r#"say("hello", "world", f(g(1), h), [1, 2, 3])"#,
            None,
            None,
        );
        assert!(r.is_ok());
        assert_eq!(run(&mut a), ["hello world f(g(1), h) [1, 2, 3] alice"]);
    }

    #[test]
    fn ask_one_is_answered_from_beliefs_and_rules() {
        let mut a = agent("value(42). double(Y) :- value(X) & Y = X * 2.");
        run(&mut a);
        assert!(
            a.push_message_text(
                "alice",
                Performative::AskOne,
                "double(Y)",
                Some("m1".into()),
                None
            )
            .is_ok()
        );
        run(&mut a);
        let m = only(a.take_outbox());
        assert_eq!(m.receiver.as_deref(), Some("alice"));
        assert_eq!(m.performative, Performative::Tell);
        assert_eq!(m.content.to_string(), "double(84)");
        assert_eq!(m.in_reply_to.as_deref(), Some("m1"));
        assert!(
            a.push_message_text(
                "alice",
                Performative::AskOne,
                "missing(Y)",
                Some("m2".into()),
                None
            )
            .is_ok()
        );
        run(&mut a);
        let m = only(a.take_outbox());
        assert_eq!(
            (m.performative, m.content.to_string()),
            (Performative::Untell, "missing(_0)".to_string())
        );
    }

    #[test]
    fn ask_all_answers_a_list() {
        let mut a = agent("item(a). item(b).");
        run(&mut a);
        assert!(
            a.push_message_text(
                "alice",
                Performative::AskAll,
                "item(X)",
                Some("q".into()),
                None
            )
            .is_ok()
        );
        run(&mut a);
        let m = only(a.take_outbox());
        assert_eq!(m.content.to_string(), "[item(a), item(b)]");
    }

    #[test]
    fn the_asker_suspends_until_the_answer_or_the_timeout() {
        let src = "+!ask <- .send(carol, askOne, temp(X), A, 1000); .print(A).";
        let mut a = agent(src);
        a.achieve(&term("ask"));
        run(&mut a);
        let ask = only(a.take_outbox());
        assert_eq!(ask.performative, Performative::AskOne);
        assert_eq!(ask.content.to_string(), "temp(_0)");
        let id = ask.reply_with.clone();
        assert!(id.is_some());
        assert!(a.is_idle() && !a.is_quiescent());
        assert_eq!(a.next_deadline(), Some(1000));
        assert!(
            a.push_message_text("carol", Performative::Tell, "temp(21)", None, id)
                .is_ok()
        );
        assert_eq!(run(&mut a), ["temp(21)"]);
        assert!(
            a.beliefs_of("temp", 1).is_empty(),
            "an awaited answer is not a belief"
        );

        let mut b = agent(src);
        b.achieve(&term("ask"));
        run(&mut b);
        b.step(999);
        assert!(b.take_prints().is_empty());
        b.step(1000);
        b.run_until_idle(1000, 100);
        assert_eq!(b.take_prints(), ["timeout"]);
    }

    #[test]
    fn tell_how_and_untell_how_change_the_plan_library() {
        let mut a = agent("");
        let plan = r#""@greet +!hi <- .print(\"hi there\").""#;
        assert!(
            a.push_message_text("alice", Performative::TellHow, plan, None, None)
                .is_ok()
        );
        run(&mut a);
        a.achieve(&term("hi"));
        assert_eq!(run(&mut a), ["hi there"]);
        assert!(
            a.push_message_text("alice", Performative::UntellHow, "greet", None, None)
                .is_ok()
        );
        run(&mut a);
        assert!(a.plans().is_empty());
    }

    #[test]
    fn unachieve_drops_the_desire() {
        let mut a = agent("+!work <- .wait(100000); .print(never).");
        assert!(
            a.push_message_text("alice", Performative::Achieve, "work", None, None)
                .is_ok()
        );
        run(&mut a);
        assert_eq!(a.intention_count(), 1);
        assert!(
            a.push_message_text("alice", Performative::Unachieve, "work", None, None)
                .is_ok()
        );
        run(&mut a);
        assert_eq!(a.intention_count(), 0);
        assert!(a.is_quiescent());
    }

    #[test]
    fn malformed_content_is_an_error_and_counted() {
        let mut a = agent("");
        let r = a.push_message_text("eve", Performative::Tell, "broken(", None, None);
        assert!(r.is_err());
        assert_eq!(a.stats().malformed_messages, 1);
        assert!(a.is_idle());
    }

    #[test]
    fn send_and_broadcast_produce_outgoing_messages() {
        let mut a = agent(
            "!go. +!go <- .send([x, y], tell, hello(1)); .broadcast(achieve, work(\"now\")); .my_name(N); .send(N, tell, me).",
        );
        run(&mut a);
        let out = a.take_outbox();
        let summary: Vec<String> = out
            .iter()
            .map(|m| format!("{:?} {} {}", m.receiver, m.performative, m.content))
            .collect();
        assert_eq!(
            summary,
            [
                "Some(\"x\") tell hello(1)",
                "Some(\"y\") tell hello(1)",
                "None achieve work(\"now\")",
                "Some(\"bob\") tell me"
            ]
        );
    }
}

mod host_api {
    use super::*;

    #[test]
    fn custom_actions_and_functions() {
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let mut a = AgentBuilder::new("bob")
            .action(".log", 1, move |args| {
                log.lock().map_err(|_| agora_bdi::ActionError::Custom("poisoned".into()))?.push(args[0].to_string());
                Ok(true)
            })
            .function("twice", 1, |args| match args[0] {
                Term::Int(i) => Ok(Term::Int(i * 2)),
                ref other => Err(agora_bdi::ActionError::Custom(format!("not an int: {other}"))),
            })
            .action("refuse", 0, |_| Ok(false))
            .load("!go. +!go <- .log(f(\"x\", 1)); twice(21, X); .print(X); refuse. -!go <- .print(refused).", "c.asl")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run(&mut a), ["42", "refused"]);
        assert_eq!(
            seen.lock().map(|v| v.clone()).unwrap_or_default(),
            ["f(\"x\", 1)"]
        );
    }

    #[test]
    fn beliefs_can_be_set_queried_and_removed_from_outside() {
        let mut a =
            agent("+temp(T)[source(percept)] <- .print(got, T). -temp(T) <- .print(lost, T).");
        a.add_belief(&term("temp(20)"));
        a.set_belief(&term("temp(25)"));
        assert_eq!(run(&mut a), ["got 20", "lost 20", "got 25"]);
        let q = a.query_text("temp(X) & X > 21");
        assert_eq!(
            q.map(|v| v.iter().map(|t| t.to_string()).collect::<Vec<_>>())
                .ok(),
            Some(vec!["(temp(25) & (25 > 21))".to_string()])
        );
        assert!(a.remove_belief(&term("temp(25)")));
        assert!(!a.remove_belief(&term("temp(25)")));
        assert!(a.beliefs_of("temp", 1).is_empty());
    }

    #[test]
    fn percepts_replace_each_other() {
        let mut a = agent("+at(P) <- .print(at, P). -at(P) <- .print(left, P).");
        a.perceive(&[term("at(a)"), term("light(on)")]);
        run(&mut a);
        a.perceive(&[term("at(b)"), term("light(on)")]);
        assert_eq!(run(&mut a), ["left a", "at b"]);
        assert_eq!(
            a.beliefs_of("light", 1)[0].to_string(),
            "light(on)[source(percept)]"
        );
    }

    #[test]
    fn wait_uses_host_time_and_reports_the_deadline() {
        let mut a = agent("!g. +!g <- .print(a); .wait(250); .print(b).");
        a.run_until_idle(1000, 100);
        assert_eq!(a.take_prints(), ["a"]);
        assert_eq!(a.next_deadline(), Some(1250));
        a.step(1100);
        assert!(a.take_prints().is_empty());
        a.step(1250);
        a.run_until_idle(1250, 100);
        assert_eq!(a.take_prints(), ["b"]);
        assert!(a.is_quiescent());
    }

    #[test]
    fn random_choices_are_deterministic_per_seed() {
        let src = "!g. +!g <- .random(X); .random([a, b, c, d, e, f, g], Y); .print(X, Y).";
        let out = |seed| {
            let mut a = AgentBuilder::new("r")
                .seed(seed)
                .load(src, "r.asl")
                .unwrap_or_else(|e| panic!("{e}"));
            run(&mut a)
        };
        assert_eq!(out(1), out(1));
        assert_ne!(out(1), out(2));
    }

    #[test]
    fn checkpoint_round_trips_beliefs_and_rng() {
        let mut a = agent("b(1). c(\"x\", [1, 2.5]). !g. +!g <- .random(X); +r(X).");
        run(&mut a);
        let cp = a.checkpoint();
        let mut b = agent("");
        assert!(b.restore(&cp).is_ok());
        let mut names: Vec<String> = b.beliefs().iter().map(|t| t.to_string()).collect();
        names.sort();
        let mut want: Vec<String> = a.beliefs().iter().map(|t| t.to_string()).collect();
        want.sort();
        assert_eq!(names, want);
        assert_eq!(b.checkpoint().lines().next(), cp.lines().next());
        assert!(b.restore("not a checkpoint").is_err());
    }
}

mod bad_input {
    use super::*;

    #[test]
    fn unknown_internal_actions_and_wrong_arities_fail_to_load() {
        let e = AgentBuilder::new("x")
            .load("+!g <- .frobnicate(1).\n+!h <- .send(a, tell).", "bad.asl")
            .err();
        let msgs: Vec<String> = e
            .map(|e| e.errors().iter().map(|x| x.to_string()).collect())
            .unwrap_or_default();
        assert_eq!(
            msgs,
            [
                "bad.asl:1:8: unknown internal action .frobnicate/1",
                "bad.asl:2:8: wrong number of arguments for .send: 2 given, expected 3 to 5"
            ]
        );
    }

    #[test]
    fn an_unknown_environment_action_fails_the_plan() {
        let mut a = agent("!g. +!g <- open(door). -!g[error(E), error_msg(M)] <- .print(E, M).");
        assert_eq!(run(&mut a), ["action_failed unknown action open/1"]);
    }

    #[test]
    fn runtime_errors_never_panic() {
        let bodies = [
            "X = 1 mod 0",
            "X = 1 div 0",
            ".nth(5, [a], X)",
            ".nth(a, [a], X)",
            ".length(foo, N)",
            ".wait(foo)",
            ".wait(\"+\")",
            ".send(1, tell, x)",
            ".send(a, shout, x)",
            ".member(X, notalist)",
            "X = Y + 1",
            "?undefined(X)",
            "!undefined",
            ".term2string(T, \"((\")",
            ".add_plan(\"+!\")",
            ".concat(X, Y)",
            "X = [1|2]; .length(X, N)",
            ".min([], X)",
            "-+foo(X)",
            ".succeed_goal(nothing)",
            ".abolish(X)",
            "+X",
        ];
        for body in bodies {
            let src = format!("!g. +!g <- {body}.");
            match AgentBuilder::new("x").load(&src, "x.asl") {
                Ok(mut a) => {
                    a.run_until_idle(0, 1000);
                    a.take_reports();
                }
                Err(e) => assert!(!e.errors().is_empty(), "{body}"),
            }
        }
    }

    #[test]
    fn runaway_rule_recursion_is_an_error_not_a_crash() {
        let mut a =
            agent("loop(X) :- loop(X). !g. +!g : loop(1) <- .print(never). +!g <- .print(safe).");
        assert_eq!(run(&mut a), ["safe"]);
        assert!(matches!(
            a.take_reports()[..],
            [Report::ContextError { .. }]
        ));
    }

    #[test]
    fn garbage_programs_give_errors_not_panics() {
        let inputs = [
            "",
            "+",
            "+!",
            "+!g <-",
            "+!g <- .",
            "b(",
            "b(1",
            "\"abc",
            "/* never closed",
            "@",
            "@l",
            "!",
            "+!g : <- x.",
            "+!g <- if (x) { .print(1)",
            "+!g <- while",
            "[1,2|",
            "b(1) :- .",
            "~",
            "a.b.c.",
            "+!g <- for (X) { }.",
            "+!g <- -+.",
            "b(1)[",
            "'unterminated",
            "1.5.",
            "X.",
            "+!g <- !!.",
            "\u{0}\u{1}",
            "+!g <- .print(\"\\",
            "b(1e999999).",
        ];
        for src in inputs {
            let _ = AgentBuilder::new("x").load(src, "g.asl");
            let _ = parse_term(src);
        }
        // Every prefix of a real program must load or fail cleanly too.
        let program = "b(1). c(X) :- b(X) & X > 0. !s. @l +!s : c(Y) <- if (Y > 0) { .print(Y) } else { -+b(2) }; for (.member(Z, [1,2])) { !t(Z) }; while (b(W) & W < 3) { -+b(W+1) }. +!t(Z) <- .send(z, askOne, q(Z), A, 10).";
        for i in 0..program.len() {
            if program.is_char_boundary(i)
                && let Ok(mut a) = AgentBuilder::new("x").load(&program[..i], "p.asl")
            {
                a.run_until_idle(0, 500);
            }
        }
    }
}

mod jason_semantics {
    use super::*;

    /// Jason annotates the agent's own goals with `source(self)`, so plans
    /// can tell them from goals delegated by other agents.
    #[test]
    fn own_goals_carry_source_self() {
        let mut a = agent(
            "!g. +!g[source(self)] <- !h; !!k. +!h[source(S)] <- .print(h, S). +!k[source(S)] <- .print(k, S). +!g[source(A)] <- .print(other, A).",
        );
        assert_eq!(run(&mut a), ["h self", "k self"]);
        assert!(
            a.push_message_text("alice", Performative::Achieve, "g", None, None)
                .is_ok()
        );
        assert_eq!(run(&mut a), ["other alice"]);
    }

    /// The tail-recursion optimisation keeps recursive loops in constant
    /// space: 100k recursive goals must not leave 100k intended means.
    #[test]
    fn recursive_goals_run_in_constant_space() {
        let mut a =
            agent("!count(0). +!count(N) : N < 100000 <- !count(N + 1). +!count(N) <- .print(N).");
        let mut deepest = 0;
        while !a.is_idle() {
            a.step(0);
            deepest = deepest.max(a.intended_means_count());
        }
        assert_eq!(a.take_prints(), ["100000"]);
        assert!(deepest <= 1, "stack grew to {deepest}");
        // Without a tail call (work after the recursive goal) the stack
        // does grow, as in Jason.
        let mut b =
            agent("!count(0). +!count(N) : N < 50 <- !count(N + 1); .print(N). +!count(N).");
        let mut deepest = 0;
        while !b.is_idle() {
            b.step(0);
            deepest = deepest.max(b.intended_means_count());
        }
        assert!(deepest >= 50, "stack only reached {deepest}");
        assert_eq!(b.take_prints().len(), 50);
    }
}

mod big_input {
    use super::*;

    /// Long lists from outside must not overflow the stack anywhere: when
    /// parsed, stored, unified, printed, compared or dropped.
    #[test]
    fn a_list_of_200k_elements_goes_through_everything() {
        let n = 200_000;
        let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        let content = format!("data([{}])", items.join(", "));
        let mut a = agent(
            "+data(L) <- .length(L, N); .print(N); L = [H|T]; .length(T, M); .print(H, M); ?data(L2); if (L == L2) { .print(same) }.",
        );
        assert!(
            a.push_message_text("alice", Performative::Tell, &content, None, None)
                .is_ok()
        );
        let out = run(&mut a);
        assert_eq!(
            out,
            [n.to_string(), format!("0 {}", n - 1), "same".to_string()]
        );
        let text = a.beliefs_of("data", 1)[0].to_string();
        assert!(text.len() > content.len());
        let stored = a.beliefs_of("data", 1)[0].clone();
        assert!(a.remove_belief(&stored));
        assert!(a.beliefs_of("data", 1).is_empty());
        drop(stored);
        drop(a);
    }

    #[test]
    fn deeply_nested_content_is_rejected_not_a_crash() {
        let mut a = agent("");
        let content = format!("{}x{}", "f(".repeat(50_000), ")".repeat(50_000));
        assert!(
            a.push_message_text("eve", Performative::Tell, &content, None, None)
                .is_err()
        );
        assert_eq!(a.stats().malformed_messages, 1);
    }
}

/// A minimal host: what the runtime does with MQTT, done with a loop. Every
/// message goes through its wire text (`content.to_string()` and back),
/// as it would over the broker.
mod host_loop {
    use super::*;

    fn deliver(agents: &mut [Agent], now: u64) -> usize {
        let mut moved = 0;
        for i in 0..agents.len() {
            let sender = agents[i].name().to_string();
            for m in agents[i].take_outbox() {
                let targets: Vec<usize> = match &m.receiver {
                    Some(r) => agents
                        .iter()
                        .position(|a| a.name() == r)
                        .into_iter()
                        .collect(),
                    None => (0..agents.len()).filter(|j| *j != i).collect(),
                };
                for j in targets {
                    let text = m.content.to_string();
                    let r = agents[j].push_message_text(
                        &sender,
                        m.performative,
                        &text,
                        m.reply_with.clone(),
                        m.in_reply_to.clone(),
                    );
                    assert!(r.is_ok(), "wire text did not parse: {text}");
                    moved += 1;
                }
            }
        }
        for a in agents.iter_mut() {
            a.run_until_idle(now, 10_000);
        }
        moved
    }

    #[test]
    fn ask_and_achieve_between_two_agents() {
        let alice = agent_named(
            "alice",
            "!start. +!start <- .send(bob, askOne, price(apple, P), price(_, Price)); .print(price, Price); \
             .send(bob, achieve, sell(apple, [1, 2], f(\"x\"))). +sold(Item)[source(S)] <- .print(sold, Item, S).",
        );
        let bob = agent_named(
            "bob",
            "price(apple, 3). +!sell(Item, L, F)[source(S)] <- .print(selling, Item, L, F, S); .send(S, tell, sold(Item)).",
        );
        let mut agents = vec![alice, bob];
        for a in agents.iter_mut() {
            a.run_until_idle(0, 1000);
        }
        let mut rounds = 0;
        while deliver(&mut agents, 0) > 0 && rounds < 20 {
            rounds += 1;
        }
        assert_eq!(agents[0].take_prints(), ["price 3", "sold apple bob"]);
        assert_eq!(
            agents[1].take_prints(),
            ["selling apple [1, 2] f(\"x\") alice"]
        );
        assert!(agents.iter().all(Agent::is_quiescent));
    }

    #[test]
    fn broadcast_reaches_every_other_agent() {
        let mut agents: Vec<Agent> = ["a", "b", "c"]
            .iter()
            .map(|n| agent_named(n, "+hello[source(S)] <- .my_name(M); .print(M, got, S)."))
            .collect();
        agents.push(agent_named("d", "!go. +!go <- .broadcast(tell, hello)."));
        for a in agents.iter_mut() {
            a.run_until_idle(0, 1000);
        }
        assert_eq!(deliver(&mut agents, 0), 3);
        let got: Vec<String> = agents.iter_mut().flat_map(|a| a.take_prints()).collect();
        assert_eq!(got, ["a got d", "b got d", "c got d"]);
    }
}

/// The runtime moves agents into actors on other threads and shares
/// action registries between them.
#[test]
fn agents_and_registries_can_cross_threads() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    send::<Agent>();
    send_sync::<agora_bdi::ActionRegistry>();
    send_sync::<Term>();
    let mut a = agent("!g. +!g <- .print(moved).");
    let out = std::thread::spawn(move || {
        a.run_until_idle(0, 100);
        a.take_prints()
    })
    .join()
    .unwrap_or_default();
    assert_eq!(out, ["moved"]);
}
