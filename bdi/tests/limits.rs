//! Resource limits: each limit (intention depth, intentions, events,
//! beliefs, cycles per slice) stops a runaway program with a Jason-style
//! failure event that a `-!g` plan can handle, or refuses and counts what
//! comes from outside; the agent keeps running, and each limit is
//! reported once.

use agora_bdi::{Agent, AgentBuilder, Limit, Limits, Performative, Report, Term, parse_term};

fn agent_with(limits: Limits, src: &str) -> Agent {
    match AgentBuilder::new("bob")
        .limits(limits)
        .load(src, "limits.asl")
    {
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
    a.run_until_idle(0, 1_000_000);
    a.take_prints()
}

/// The limit reports among `reports`, as (limit, max).
fn limit_reports(reports: &[Report]) -> Vec<(Limit, usize)> {
    reports
        .iter()
        .filter_map(|r| match r {
            Report::ResourceLimit { limit, max, .. } => Some((*limit, *max)),
            _ => None,
        })
        .collect()
}

fn dropped(reports: &[Report]) -> usize {
    reports
        .iter()
        .filter(|r| matches!(r, Report::IntentionDropped { .. }))
        .count()
}

const RECURSIVE: &str = "!g.
+!g <- !h; .print(done).
+!h <- !h; .print(x).
";

mod intention_depth {
    use super::*;

    fn depth(max: usize) -> Limits {
        Limits {
            max_intention_depth: max,
            ..Limits::default()
        }
    }

    #[test]
    fn deep_recursion_raises_a_failure_event_with_the_limit_annotations() {
        let src = format!(
            "{RECURSIVE}-!g[error(E), error_msg(M), limit(L), max(X), code(C), code_line(N)] <- \
             .print(E, L, X, C, N); .print(M).\n+!ok <- .print(still, here)."
        );
        let mut a = agent_with(depth(50), &src);
        let prints = run(&mut a);
        assert_eq!(
            prints[0],
            "resource_limit intention_depth 50 h[source(self)] 3"
        );
        assert!(
            prints[1].contains("max_intention_depth = 50")
                && prints[1].contains("50 intended means deep"),
            "{prints:?}"
        );
        assert_eq!(
            prints.len(),
            2,
            "neither done nor x: the -!g plan cut the stack"
        );
        let reports = a.take_reports();
        assert_eq!(limit_reports(&reports), [(Limit::IntentionDepth, 50)]);
        assert_eq!(dropped(&reports), 0, "handled by -!g");
        assert_eq!(a.stats().limit_hits.intention_depth, 1);
        assert!(a.is_quiescent(), "nothing left of the runaway intention");
        // The agent goes on.
        a.achieve(&term("ok"));
        assert_eq!(run(&mut a), ["still here"]);
    }

    #[test]
    fn without_a_failure_plan_the_intention_is_dropped_and_reported_once() {
        let mut a = agent_with(depth(40), RECURSIVE);
        assert!(run(&mut a).is_empty());
        let reports = a.take_reports();
        assert_eq!(limit_reports(&reports), [(Limit::IntentionDepth, 40)]);
        assert_eq!(dropped(&reports), 1);
        // Hit again: counted, not reported again.
        a.achieve(&term("g"));
        a.achieve(&term("g"));
        run(&mut a);
        assert!(a.take_reports().is_empty());
        assert_eq!(a.stats().limit_hits.intention_depth, 3);
        assert_eq!(a.stats().dropped_intentions, 3);
        assert!(a.is_quiescent());
    }

    #[test]
    fn the_innermost_goal_with_a_failure_plan_handles_it_and_callers_go_on() {
        let src = "!g(0).
            +!g(N) <- !g(N + 1); .print(back, N).
            -!g(N)[error(resource_limit)] <- .print(caught, N).";
        let mut a = agent_with(depth(5), src);
        let prints = run(&mut a);
        // g(0)..g(4) fill the stack; g(4)'s step !g(5) fails, -!g(4)
        // handles it, and g(3)..g(0) finish normally.
        assert_eq!(prints, ["caught 4", "back 3", "back 2", "back 1", "back 0"]);
    }

    #[test]
    fn failure_plans_may_go_beyond_the_limit_but_not_without_end() {
        // The failure plan recurses too: each failure plan goes one level
        // beyond the limit, and goals above a running failure plan take no
        // new failure, so this ends with the intention dropped.
        let src = "!h. +!h <- !h; .print(x). -!h <- !h.";
        let mut a = agent_with(depth(20), src);
        let cycles = a.run_until_idle(0, 100_000);
        assert!(cycles < 10_000, "{cycles} cycles");
        assert!(a.is_quiescent());
        assert_eq!(a.stats().dropped_intentions, 1);
    }

    #[test]
    fn recursive_test_goal_plans_are_limited_too() {
        let src = "!g. +!g <- ?t. +?t <- ?t; .print(x). \
                   -!g[limit(L)] <- .print(caught, L).";
        let mut a = agent_with(depth(30), src);
        assert_eq!(run(&mut a), ["caught intention_depth"]);
    }

    #[test]
    fn failure_plans_are_chosen_by_their_annotations() {
        let src = format!(
            "{RECURSIVE}-!g[error(no_applicable)] <- .print(wrong).\n\
             -!g[error(resource_limit)] <- .print(right)."
        );
        let mut a = agent_with(depth(10), &src);
        assert_eq!(run(&mut a), ["right"]);
        // The same for other failures: this plan was never relevant while
        // relevance was checked against an event without the real kind.
        let mut a = agent_with(
            depth(10),
            "!g. +!g <- .fail. -!g[error(ia_failed)] <- .print(caught).",
        );
        assert_eq!(run(&mut a), ["caught"]);
    }
}

mod intended_means {
    use super::*;

    fn most(max: usize) -> Limits {
        Limits {
            max_intended_means: max,
            ..Limits::default()
        }
    }

    #[test]
    fn recursions_started_again_and_again_are_bounded_together() {
        // Each g starts the next g and recurses in h: with only the depth
        // limit, every intention would grow to it at once.
        let src = "!g. +!g <- !!g; !h. +!h <- !h; .print(x).";
        let mut a = agent_with(most(300), src);
        let mut peak = 0;
        for _ in 0..200 {
            a.run_until_idle(0, 500);
            peak = peak.max(a.intended_means_count());
        }
        assert!(peak <= 300, "peak {peak} intended means");
        assert!(a.stats().limit_hits.intended_means >= 2);
        assert_eq!(
            limit_reports(&a.take_reports()),
            [(Limit::IntendedMeans, 300)],
            "reported once, then counted"
        );
    }

    #[test]
    fn finished_intentions_give_their_means_back() {
        let src = "+!d(N) : N > 0 <- !d(N - 1); N > 0. +!d(0).";
        let mut a = agent_with(most(50), src);
        for _ in 0..20 {
            a.achieve(&term("d(40)"));
            run(&mut a);
        }
        assert_eq!(a.stats().limit_hits.intended_means, 0);
        a.achieve(&term("d(60)"));
        run(&mut a);
        assert_eq!(a.stats().limit_hits.intended_means, 1);
    }
}

mod intentions {
    use super::*;

    fn most(max: usize) -> Limits {
        Limits {
            max_intentions: max,
            ..Limits::default()
        }
    }

    #[test]
    fn external_events_beyond_the_limit_are_dropped_and_counted() {
        let mut a = agent_with(most(3), "+!sleep <- .wait(100000).");
        for _ in 0..5 {
            a.achieve(&term("sleep"));
        }
        run(&mut a);
        assert_eq!(a.intention_count(), 3);
        assert_eq!(a.stats().limit_hits.intentions, 2);
        assert_eq!(limit_reports(&a.take_reports()), [(Limit::Intentions, 3)]);
        // Room again once they finish: a new goal runs.
        a.step(100_000);
        run(&mut a);
        assert_eq!(a.intention_count(), 0);
        a.achieve(&term("sleep"));
        run(&mut a);
        assert_eq!(a.intention_count(), 1);
    }

    #[test]
    fn spawning_an_intention_at_the_limit_fails_the_step() {
        let src = "+!sleep <- .wait(100000).
            +!go <- !!other; .print(after).
            +!other <- .print(other).
            -!go[error(resource_limit), limit(L), max(M), code(C)] <- .print(refused, L, M, C).";
        let mut a = agent_with(most(2), src);
        a.achieve(&term("sleep"));
        run(&mut a);
        a.achieve(&term("go"));
        assert_eq!(run(&mut a), ["refused intentions 2 other[source(self)]"]);
        assert_eq!(a.stats().limit_hits.intentions, 1);
    }
}

mod events {
    use super::*;

    fn most(max: usize) -> Limits {
        Limits {
            max_events: max,
            ..Limits::default()
        }
    }

    #[test]
    fn external_events_and_messages_beyond_the_limit_are_dropped_and_counted() {
        let mut a = agent_with(most(3), "+!g(N) <- .print(N).");
        for i in 0..5 {
            a.achieve(&Term::compound("g", vec![Term::Int(i)]));
        }
        assert_eq!(run(&mut a), ["0", "1", "2"]);
        // The inbox holds as many messages.
        for i in 5..10 {
            let sent = a.push_message_text(
                "alice",
                Performative::Achieve,
                &format!("g({i})"),
                None,
                None,
            );
            assert!(sent.is_ok());
        }
        assert_eq!(run(&mut a), ["5", "6", "7"]);
        assert_eq!(a.stats().limit_hits.events, 4);
        assert_eq!(limit_reports(&a.take_reports()), [(Limit::Events, 3)]);
    }

    #[test]
    fn a_step_that_would_post_beyond_the_limit_fails() {
        let src = "+!go <- +b(1); .print(unreachable).
            -!go[error(resource_limit), limit(L), code(C)] <- .print(refused, L, C).";
        let mut a = agent_with(most(2), src);
        a.achieve(&term("go"));
        // Intend +!go, then fill the queue from outside before its step.
        let ev = a.select_event();
        a.handle_event(ev.unwrap_or_else(|| panic!("the +!go event")));
        a.achieve(&term("x"));
        a.achieve(&term("y"));
        let int = a.select_intention();
        a.execute(int.unwrap_or_else(|| panic!("the +!go intention")));
        assert!(
            a.beliefs_of("b", 1).is_empty(),
            "a failing step changes nothing"
        );
        assert_eq!(run(&mut a), ["refused events b(1)[source(self)]"]);
        assert_eq!(a.stats().limit_hits.events, 1);
    }
}

mod beliefs {
    use super::*;

    fn most(max: usize) -> Limits {
        Limits {
            max_beliefs: max,
            ..Limits::default()
        }
    }

    #[test]
    fn adding_a_new_belief_beyond_the_limit_fails_the_intention() {
        let src = "!go.
            +!go <- +b(1); +b(2); +b(3); +b(4); .print(unreachable).
            -!go[error(resource_limit), limit(L), max(M), code(C)] <- .print(refused, L, M, C).";
        let mut a = agent_with(most(3), src);
        assert_eq!(run(&mut a), ["refused beliefs 3 b(4)[source(self)]"]);
        assert_eq!(a.belief_base().len(), 3);
        assert_eq!(limit_reports(&a.take_reports()), [(Limit::Beliefs, 3)]);
    }

    #[test]
    fn at_the_limit_annotations_merge_and_replacing_a_belief_works() {
        let src = "count(0). a. b.
            +!tick <- ?count(N); -+count(N + 1); +a[note]; .print(ticked).";
        let mut a = agent_with(most(3), src);
        a.achieve(&term("tick"));
        a.achieve(&term("tick"));
        assert_eq!(run(&mut a), ["ticked", "ticked"]);
        assert_eq!(a.beliefs_of("count", 1), [term("count(2)[source(self)]")]);
        assert_eq!(a.stats().limit_hits.beliefs, 0);
    }

    #[test]
    fn told_and_perceived_beliefs_beyond_the_limit_are_refused_and_counted() {
        let mut a = agent_with(most(2), "");
        let told = a.push_message_text("alice", Performative::Tell, "t(1)", None, None);
        assert!(told.is_ok());
        run(&mut a);
        a.perceive(&[term("p(1)"), term("p(2)")]);
        assert_eq!(a.belief_base().len(), 2);
        assert!(a.beliefs_of("p", 1).len() == 1, "one percept refused");
        assert_eq!(a.stats().limit_hits.beliefs, 1);
        // With room again, the refused percept comes in.
        a.remove_belief(&term("t(1)"));
        a.perceive(&[term("p(1)"), term("p(2)")]);
        assert_eq!(a.beliefs_of("p", 1).len(), 2);
    }
}

mod slices {
    use super::*;

    #[test]
    fn a_busy_agent_yields_after_its_slice() {
        let limits = Limits {
            cycles_per_slice: 100,
            ..Limits::default()
        };
        let mut busy = agent_with(limits, "!loop. +!loop <- !loop.");
        let mut other = agent_with(limits, "!hi. +!hi <- .print(hi).");
        // A host alternating slices: the endless agent never starves the
        // other one.
        assert_eq!(busy.run_slice(0), 100);
        assert!(!busy.is_idle());
        assert!(other.run_slice(0) < 100);
        assert_eq!(other.take_prints(), ["hi"]);
        assert_eq!(busy.run_slice(0), 100);
        assert_eq!(busy.stats().cycles, 200);
    }

    #[test]
    fn defaults_are_documented_values() {
        let d = Limits::default();
        assert_eq!(
            (
                d.max_intention_depth,
                d.max_intended_means,
                d.max_intentions,
                d.max_events,
                d.max_beliefs,
                d.cycles_per_slice
            ),
            (10_000, 100_000, 10_000, 10_000, 100_000, 10_000)
        );
        let a = agent_with(d, "");
        assert_eq!(*a.limits(), d);
    }
}
