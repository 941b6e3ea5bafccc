//! The registry: environments by Gymnasium id, built from `make()` parameters.
//!
//! [`make`] returns one boxed [`Env`] wrapped like `gymnasium.make` wraps it
//! (a [`TimeLimit`] with the registered `max_episode_steps`). [`make_vec`]
//! returns a boxed [`VectorEnv`] over a range of global env indices, built
//! from the concrete env type so that stepping has no per-env dynamic
//! dispatch (for `CartPole-v1`, the struct-of-arrays
//! [`CartPoleVecEnv`]); the runtime builds one per shard.
//!
//! Every env accepts `max_episode_steps` (as `gymnasium.make` does) to
//! override or add the time limit; the other parameters are the env's own
//! keyword arguments. An unknown id lists the known ones.

use std::ops::Range;

use crate::env::Env;
use crate::env::acrobot::Acrobot;
use crate::env::cartpole::CartPole;
use crate::env::cartpole_vector::CartPoleVecEnv;
use crate::env::cliff_walking::CliffWalking;
use crate::env::frozen_lake::FrozenLake;
use crate::env::mountain_car::MountainCar;
use crate::env::taxi::Taxi;
use crate::vec_env::{AutoresetMode, VecEnv, VectorEnv};
use crate::wrappers::TimeLimit;
use crate::{EnvError, Params};

/// A registered environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvSpec {
    /// The id, as in Gymnasium.
    pub id: &'static str,
    /// The registered time limit (`None`: no limit, as CliffWalking).
    pub max_episode_steps: Option<u32>,
    /// The env's own `make()` parameters (besides `max_episode_steps`).
    pub params: &'static [&'static str],
    /// For an older id kept for compatibility: the current id.
    pub alias_of: Option<&'static str>,
}

/// Every registered environment, in listing order.
pub const REGISTRY: &[EnvSpec] = &[
    EnvSpec {
        id: CartPole::ID,
        max_episode_steps: Some(CartPole::MAX_EPISODE_STEPS),
        params: CartPole::PARAMS,
        alias_of: None,
    },
    EnvSpec {
        id: MountainCar::ID,
        max_episode_steps: Some(MountainCar::MAX_EPISODE_STEPS),
        params: MountainCar::PARAMS,
        alias_of: None,
    },
    EnvSpec {
        id: Acrobot::ID,
        max_episode_steps: Some(Acrobot::MAX_EPISODE_STEPS),
        params: Acrobot::PARAMS,
        alias_of: None,
    },
    EnvSpec {
        id: FrozenLake::ID,
        max_episode_steps: Some(100),
        params: FrozenLake::PARAMS,
        alias_of: None,
    },
    EnvSpec {
        id: FrozenLake::ID_8X8,
        max_episode_steps: Some(200),
        params: FrozenLake::PARAMS,
        alias_of: None,
    },
    EnvSpec {
        id: Taxi::ID,
        max_episode_steps: Some(Taxi::MAX_EPISODE_STEPS),
        params: Taxi::PARAMS,
        alias_of: None,
    },
    EnvSpec {
        id: Taxi::ID_V3,
        max_episode_steps: Some(Taxi::MAX_EPISODE_STEPS),
        params: Taxi::PARAMS,
        alias_of: Some(Taxi::ID),
    },
    EnvSpec {
        id: CliffWalking::ID,
        max_episode_steps: None,
        params: CliffWalking::PARAMS,
        alias_of: None,
    },
    EnvSpec {
        id: CliffWalking::ID_SLIPPERY,
        max_episode_steps: None,
        params: CliffWalking::PARAMS,
        alias_of: None,
    },
    EnvSpec {
        id: CliffWalking::ID_V0,
        max_episode_steps: None,
        params: CliffWalking::PARAMS,
        alias_of: Some(CliffWalking::ID),
    },
];

/// The registered ids, in listing order.
pub fn ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|s| s.id).collect()
}

/// The spec of `id`, or [`EnvError::UnknownId`] listing the known ids.
pub fn spec(id: &str) -> Result<&'static EnvSpec, EnvError> {
    REGISTRY
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| EnvError::UnknownId {
            id: id.to_string(),
            known: ids().into_iter().map(String::from).collect(),
        })
}

/// Builds env `id` with `params`, wrapped in its time limit.
pub fn make(id: &str, params: &Params) -> Result<Box<dyn Env>, EnvError> {
    struct Single;
    impl Build for Single {
        type Out = Box<dyn Env>;
        fn finish<E: Env + Clone + 'static>(self, env: E) -> Result<Self::Out, EnvError> {
            Ok(Box::new(env))
        }
    }
    dispatch(id, params, Single)
}

/// Builds a [`VectorEnv`] of env `id` over global indices `range` (one
/// shard of a larger batch, or all of it), each env wrapped in its time
/// limit. Seeding follows [`VecEnv`]'s rule, so the shards of a batch behave
/// as the whole batch.
pub fn make_vec(
    id: &str,
    params: &Params,
    range: Range<u64>,
    mode: AutoresetMode,
) -> Result<Box<dyn VectorEnv>, EnvError> {
    struct Vector {
        range: Range<u64>,
        mode: AutoresetMode,
    }
    impl Build for Vector {
        type Out = Box<dyn VectorEnv>;
        fn finish<E: Env + Clone + 'static>(self, env: E) -> Result<Self::Out, EnvError> {
            Ok(Box::new(VecEnv::from_prototype(
                env, self.range, self.mode,
            )?))
        }
    }
    if range.end <= range.start {
        return Err(EnvError::InvalidConfig(format!(
            "empty env index range {range:?}"
        )));
    }
    let s = spec(id)?;
    if s.id == CartPole::ID {
        // The struct-of-arrays batch: the same results as the generic
        // VecEnv, bit for bit, at a fraction of the time per step.
        let (own, limit) = split_params(s, params)?;
        if let Some(limit) = limit {
            return Ok(Box::new(CartPoleVecEnv::from_params(
                &own, range, mode, limit,
            )?));
        }
    }
    dispatch(id, params, Vector { range, mode })
}

/// What to do with a freshly built concrete env (box it, batch it…).
trait Build: Sized {
    type Out;

    /// Makes the output from `env`, already wrapped as it should be.
    fn finish<E: Env + Clone + 'static>(self, env: E) -> Result<Self::Out, EnvError>;

    /// Wraps `env` in its time limit, if it has one, and finishes it.
    fn build<E: Env + Clone + 'static>(
        self,
        env: E,
        limit: Option<u32>,
    ) -> Result<Self::Out, EnvError> {
        match limit {
            Some(l) => self.finish(TimeLimit::new(env, l)),
            None => self.finish(env),
        }
    }
}

/// Splits `max_episode_steps` off `params`: the env's own parameters and
/// the time limit to apply (the registered one unless overridden). Unknown
/// keys are reported with `max_episode_steps` among the accepted ones.
fn split_params(spec: &EnvSpec, params: &Params) -> Result<(Params, Option<u32>), EnvError> {
    let mut own = Params::new();
    let mut limit = spec.max_episode_steps;
    for (k, v) in params.iter() {
        if k == "max_episode_steps" {
            limit = match v.parse::<u32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    return Err(EnvError::InvalidParam {
                        key: k.into(),
                        value: v.into(),
                        reason: "expected a positive integer".into(),
                    });
                }
            };
        } else {
            own.set(k, v);
        }
    }
    let mut accepted: Vec<&str> = spec.params.to_vec();
    accepted.push("max_episode_steps");
    params.check_keys(spec.id, &accepted)?;
    Ok((own, limit))
}

/// Resolves `id`, splits off the time limit, builds the concrete env and
/// hands it to `b`.
fn dispatch<B: Build>(id: &str, params: &Params, b: B) -> Result<B::Out, EnvError> {
    let spec = spec(id)?;
    let (own, limit) = split_params(spec, params)?;
    match spec.id {
        CartPole::ID => b.build(CartPole::from_params(&own)?, limit),
        MountainCar::ID => b.build(MountainCar::from_params(&own)?, limit),
        Acrobot::ID => b.build(Acrobot::from_params(&own)?, limit),
        FrozenLake::ID | FrozenLake::ID_8X8 => {
            b.build(FrozenLake::from_params(spec.id, &own)?, limit)
        }
        Taxi::ID | Taxi::ID_V3 => b.build(Taxi::from_params(spec.id, &own)?, limit),
        CliffWalking::ID | CliffWalking::ID_SLIPPERY | CliffWalking::ID_V0 => {
            b.build(CliffWalking::from_params(spec.id, &own)?, limit)
        }
        other => Err(EnvError::UnknownId {
            id: other.to_string(),
            known: ids().into_iter().map(String::from).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use crate::batch::Batch;

    #[test]
    fn every_registered_id_builds_and_steps() {
        for spec in REGISTRY {
            let mut env = make(spec.id, &Params::new()).unwrap();
            assert_eq!(env.id(), spec.id);
            assert_eq!(env.max_episode_steps(), spec.max_episode_steps);
            env.reset(Some(0));
            env.step(Action::Discrete(0)).unwrap();
            let frame = env.render_rgb();
            assert_eq!(frame.pixels().len(), frame.width() * frame.height() * 3);
        }
    }

    #[test]
    fn unknown_id_lists_the_known_ones() {
        let e = make("CartPole-v0", &Params::new()).err().unwrap();
        let msg = e.to_string();
        assert!(
            msg.starts_with("unknown environment id `CartPole-v0`; known ids: CartPole-v1, "),
            "{msg}"
        );
        assert!(
            msg.contains("Taxi-v4") && msg.contains("CliffWalking-v1"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_param_lists_accepted_ones_including_the_time_limit() {
        let e = make("FrozenLake-v1", &Params::new().with("slippery", "false"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("max_episode_steps"), "{e}");
    }

    #[test]
    fn frozen_lake_v1_keeps_100_steps_on_the_8x8_map_as_gymnasium() {
        let env = make("FrozenLake-v1", &Params::new().with("map_name", "8x8")).unwrap();
        assert_eq!(env.max_episode_steps(), Some(100));
        assert_eq!(env.observation_space().n(), Some(64));
        let env = make("FrozenLake8x8-v1", &Params::new()).unwrap();
        assert_eq!(env.max_episode_steps(), Some(200));
    }

    #[test]
    fn max_episode_steps_overrides_or_adds_the_limit() {
        let env = make(
            "CliffWalking-v1",
            &Params::new().with("max_episode_steps", 50),
        )
        .unwrap();
        assert_eq!(env.max_episode_steps(), Some(50));
        assert!(make("CartPole-v1", &Params::new().with("max_episode_steps", 0)).is_err());
    }

    #[test]
    fn make_vec_builds_a_shard() {
        let mut v = make_vec(
            "FrozenLake-v1",
            &Params::new(),
            4..8,
            AutoresetMode::NextStep,
        )
        .unwrap();
        assert_eq!((v.num_envs(), v.first_index()), (4, 4));
        let mut b = Batch::new(4, 1);
        v.reset(Some(0), b.view_mut()).unwrap();
        assert_eq!(b.obs, vec![0.0; 4]);
        assert_eq!(
            v.step(crate::ActionBatch::Discrete(&[1, 1, 1, 1]), b.view_mut())
                .unwrap(),
            4
        );
        assert!(
            make_vec(
                "FrozenLake-v1",
                &Params::new(),
                3..3,
                AutoresetMode::NextStep
            )
            .is_err()
        );
    }
}
