//! One DQN update on a fixed minibatch against torch running CleanRL's
//! `dqn.py` update (`agents/tests/data/torch_parity/make_reference.py`):
//! the TD loss, its gradients, and the weights after three Adam steps.

use super::*;
use crate::learners::torch_parity::{
    assert_all_close, assert_close, assert_weights, cartpole_spec, floats, indices, load_weights,
    reference,
};

fn trainer_at_the_reference(case: &serde_json::Value) -> DqnTrainer {
    let config = DqnConfig {
        hidden_sizes: vec![8, 8],
        learning_rate: case["config"]["learning_rate"].as_f64().expect("lr"),
        gamma: case["config"]["gamma"].as_f64().expect("gamma"),
        adam_eps: case["config"]["adam_eps"].as_f64().expect("eps"),
        batch_size: 16,
        ..DqnConfig::default()
    };
    let mut trainer = DqnTrainer::new(config, cartpole_spec(), 0).expect("trainer");
    let inputs = &case["inputs"];
    load_weights(&trainer.q_network.named_params(), &inputs["weights"]);
    load_weights(
        &trainer.target_network.named_params(),
        &inputs["target_weights"],
    );
    trainer.optimizer.sync_from_vars().expect("sync");
    trainer.minibatch = Minibatch {
        obs: floats(&inputs["obs"]),
        next_obs: floats(&inputs["next_obs"]),
        actions: indices(&inputs["actions"]),
        rewards: floats(&inputs["rewards"]),
        dones: floats(&inputs["dones"]),
    };
    trainer
}

#[test]
fn a_dqn_update_matches_torch_to_1e_5() {
    let reference = reference();
    let case = &reference["dqn"];
    let mut trainer = trainer_at_the_reference(case);
    let first = &case["steps"][0];

    let (loss, _) = trainer.td_loss().expect("loss");
    let grads = trainer.params.gradients(&loss).expect("gradients");
    for (name, grad) in trainer.params.names().zip(&grads) {
        assert_all_close(&format!("gradient of {name}"), grad, &first["grads"][name]);
    }

    for (i, want) in case["steps"].as_array().expect("steps").iter().enumerate() {
        trainer.learn_from_minibatch().expect("update");
        let m = &trainer.core.metrics;
        let figure = |key: &str| want[key].as_f64().expect(key);
        assert_close(
            &format!("step {i} loss"),
            m.td_loss.expect("loss"),
            figure("loss"),
        );
        assert_close(
            &format!("step {i} q_mean"),
            m.q_mean.expect("q"),
            figure("q_mean"),
        );
        assert_close(
            &format!("step {i} gradient norm"),
            m.grad_norm.expect("norm"),
            figure("grad_norm"),
        );
    }
    assert_weights(
        "after three steps",
        &trainer.q_network.named_params(),
        &case["weights_after"],
    );
}
