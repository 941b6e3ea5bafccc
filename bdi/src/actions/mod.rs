//! Internal actions (`.name(...)`): the table of what exists, the ones that
//! are formulas (usable in contexts and bodies, possibly with several
//! solutions) in [`query`], the ones with effects on the agent (body steps
//! only) in [`control`], and custom actions in [`registry`].
//!
//! # Jason's standard internal actions
//!
//! | Jason action | here | notes |
//! | --- | --- | --- |
//! | `.print`, `.println` | yes | python-agentspeak's format; `.println` is the same |
//! | `.send` | yes | tell, untell, achieve, unachieve, askOne, askAll, tellHow, untellHow; 4th arg answer, 5th timeout (ms) |
//! | `.broadcast` | yes | |
//! | `.my_name` | yes | |
//! | `.wait` | yes | `.wait(Ms)`, `.wait("+event")`, `.wait("+event", Ms)` (fails on timeout) |
//! | `.findall`, `.count` | yes | |
//! | `.length`, `.concat`, `.member`, `.nth`, `.reverse`, `.sort`, `.min`, `.max` | yes | lists; `.length`, `.concat`, `.reverse` also strings |
//! | `.substring`, `.term2string` | yes | |
//! | `.random` | yes | `.random(X)` in `[0,1)`; `.random(List, X)` picks an element; seeded per agent |
//! | `.range` | yes | `.range(X, Start, End)` |
//! | `.atom`, `.number`, `.string`, `.list`, `.structure`, `.literal`, `.ground` | yes | type tests |
//! | `.fail` | yes | |
//! | `.succeed_goal`, `.drop_intention`, `.drop_desire`, `.desire`, `.intend` | yes | |
//! | `.stopMAS` | yes | |
//! | `.abolish` | yes | |
//! | `.add_plan`, `.remove_plan` | yes | plan as a string; remove by label |
//! | `.drop_all_desires`, `.drop_all_intentions`, `.drop_all_events` | yes | |
//! | `.fail_goal`, `.drop_event`, `.suspend`, `.resume`, `.suspended` | no | |
//! | `.relevant_plans`, `.plan_label`, `.current_intention` | no | |
//! | `.create_agent`, `.kill_agent`, `.all_names`, `.df_*` | no | belong to the host (runtime) |
//! | `.perceive`, `.at`, `.date`, `.time`, `.puts`, `.printf`, `.log` | no | no wall clock or I/O in the engine |
//! | `.add_annot`, `.add_nested_source`, `.eval`, `.if_then_else`, `.foreach`, `.loop` | no | `if`/`while`/`for` syntax covers the control ones |
//! | `.namespace`, `.include`, `.setof`, `.union`, `.intersection`, `.difference`, `.shuffle`, `.max_list`, `.delete`, `.prefix`, `.suffix`, `.sublist`, `.lower_case`, `.upper_case`, `.replace`, `.empty` | no | |

pub mod control;
pub mod query;
pub mod registry;

/// Whether an internal action is a formula or a body-only step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Usable in contexts, rule bodies and plan bodies.
    Query,
    /// Only as a plan body step (it affects the agent or its intentions).
    Control,
}

/// Built-in internal actions: name, fewest and most arguments, kind.
pub const BUILTINS: &[(&str, usize, usize, Kind)] = &[
    (".print", 0, usize::MAX, Kind::Control),
    (".println", 0, usize::MAX, Kind::Control),
    (".send", 3, 5, Kind::Control),
    (".broadcast", 2, 2, Kind::Control),
    (".wait", 1, 2, Kind::Control),
    (".fail", 0, usize::MAX, Kind::Control),
    (".succeed_goal", 1, 1, Kind::Control),
    (".drop_intention", 0, 1, Kind::Control),
    (".drop_desire", 1, 1, Kind::Control),
    (".drop_all_desires", 0, 0, Kind::Control),
    (".drop_all_intentions", 0, 0, Kind::Control),
    (".drop_all_events", 0, 0, Kind::Control),
    (".stopMAS", 0, 0, Kind::Control),
    (".abolish", 1, 1, Kind::Control),
    (".add_plan", 1, 1, Kind::Control),
    (".remove_plan", 1, 1, Kind::Control),
    (".my_name", 1, 1, Kind::Query),
    (".findall", 3, 3, Kind::Query),
    (".count", 2, 2, Kind::Query),
    (".length", 2, 2, Kind::Query),
    (".concat", 2, usize::MAX, Kind::Query),
    (".member", 2, 2, Kind::Query),
    (".nth", 3, 3, Kind::Query),
    (".random", 1, 2, Kind::Query),
    (".min", 2, 2, Kind::Query),
    (".max", 2, 2, Kind::Query),
    (".sort", 2, 2, Kind::Query),
    (".reverse", 2, 2, Kind::Query),
    (".desire", 1, 1, Kind::Query),
    (".intend", 1, 1, Kind::Query),
    (".ground", 1, 1, Kind::Query),
    (".atom", 1, 1, Kind::Query),
    (".number", 1, 1, Kind::Query),
    (".string", 1, 1, Kind::Query),
    (".list", 1, 1, Kind::Query),
    (".structure", 1, 1, Kind::Query),
    (".literal", 1, 1, Kind::Query),
    (".term2string", 2, 2, Kind::Query),
    (".substring", 2, 3, Kind::Query),
    (".range", 3, 3, Kind::Query),
];

/// Looks up a built-in: `Some((min, max, kind))`.
pub fn builtin(name: &str) -> Option<(usize, usize, Kind)> {
    BUILTINS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, lo, hi, k)| (*lo, *hi, *k))
}
