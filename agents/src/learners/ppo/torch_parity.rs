//! One PPO minibatch update against torch running CleanRL's `ppo.py` loss
//! and step (`agents/tests/data/torch_parity/make_reference.py`): the loss
//! and its parts, the gradients before clipping, the clipped norm, and the
//! weights after three steps on the same minibatch.

use super::*;
use crate::learners::torch_parity::{
    assert_all_close, assert_close, assert_weights, cartpole_spec, floats, indices, load_weights,
    reference,
};

fn trainer_at_the_reference(case: &serde_json::Value) -> (PpoTrainer, Minibatch) {
    let c = &case["config"];
    let figure = |key: &str| c[key].as_f64().expect(key);
    let config = PpoConfig {
        hidden_sizes: vec![8, 8],
        learning_rate: figure("learning_rate"),
        adam_eps: figure("adam_eps"),
        clip_coef: figure("clip_coef"),
        ent_coef: figure("ent_coef"),
        vf_coef: figure("vf_coef"),
        max_grad_norm: figure("max_grad_norm"),
        norm_adv: true,
        clip_vloss: true,
        ..PpoConfig::default()
    };
    let mut trainer = PpoTrainer::new(config, cartpole_spec(), 0).expect("trainer");
    let inputs = &case["inputs"];
    let mut named = trainer.critic.named_params();
    named.extend(trainer.actor.named_params());
    load_weights(&named, &inputs["weights"]);
    trainer.optimizer.sync_from_vars().expect("sync");
    let minibatch = Minibatch {
        obs: floats(&inputs["obs"]),
        actions: indices(&inputs["actions"]),
        logprobs: floats(&inputs["logprobs"]),
        advantages: floats(&inputs["advantages"]),
        returns: floats(&inputs["returns"]),
        values: floats(&inputs["values"]),
    };
    (trainer, minibatch)
}

#[test]
fn a_ppo_update_matches_torch_to_1e_5() {
    let reference = reference();
    let case = &reference["ppo"];
    let (mut trainer, minibatch) = trainer_at_the_reference(case);
    let first = &case["steps"][0];

    let loss = trainer.minibatch_loss(&minibatch).expect("loss");
    let grads = trainer.params.gradients(&loss.total).expect("gradients");
    for (name, grad) in trainer.params.names().zip(&grads) {
        assert_all_close(&format!("gradient of {name}"), grad, &first["grads"][name]);
    }

    for (i, want) in case["steps"].as_array().expect("steps").iter().enumerate() {
        let loss = trainer.minibatch_step(&minibatch).expect("update");
        let figure = |key: &str| want[key].as_f64().expect(key);
        let scalar = |t: &Tensor| f64::from(t.to_scalar::<f32>().expect("scalar"));
        let figures = [
            ("loss", scalar(&loss.total)),
            ("policy_loss", scalar(&loss.policy)),
            ("value_loss", scalar(&loss.value)),
            ("entropy", scalar(&loss.entropy)),
            ("approx_kl", loss.approx_kl),
            ("clip_fraction", loss.clip_fraction),
        ];
        for (key, got) in figures {
            assert_close(&format!("step {i} {key}"), got, figure(key));
        }
        let norm = trainer.core.metrics.grad_norm.expect("norm");
        assert_close(
            &format!("step {i} gradient norm"),
            norm,
            figure("grad_norm"),
        );
    }
    let mut named = trainer.critic.named_params();
    named.extend(trainer.actor.named_params());
    assert_weights("after three steps", &named, &case["weights_after"]);
}
