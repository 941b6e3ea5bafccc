"""Expected values for the torch-parity tests of Agora's DQN and PPO updates.

One fixed minibatch, fixed weights and three update steps, computed by torch
exactly as CleanRL's `dqn.py` and `ppo.py` compute theirs (MSE TD loss against
a target network; clipped surrogate, clipped value loss, entropy bonus,
`clip_grad_norm_`, Adam). The inputs are written out with the results so the
Rust side (`agents/src/learners/{dqn,ppo}/torch_parity.rs`) loads the very
same f32 values rather than recomputing them.

    python agents/tests/data/torch_parity/make_reference.py \
        > agents/tests/data/torch_parity/reference.json

The torch version that produced the committed file is recorded in it.
"""

import json
import math
import sys

import torch
from torch import nn
from torch.distributions.categorical import Categorical

torch.set_num_threads(1)

OBS_DIM, N_ACTIONS, HIDDEN, BATCH = 4, 2, [8, 8], 16
LEARNING_RATE = 0.01
STEPS = 3


def layer_values(sizes, phase):
    """Weights and biases by a smooth formula, distinct per layer and phase."""
    layers = []
    for layer, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        weight = [
            [
                0.8 * math.sin(0.37 * (r + 1) + 0.91 * (c + 1) + 1.3 * layer + phase) / math.sqrt(fan_in)
                for c in range(fan_in)
            ]
            for r in range(fan_out)
        ]
        bias = [0.1 * math.cos(0.53 * (r + 1) + layer + phase) for r in range(fan_out)]
        layers.append((weight, bias))
    return layers


def sequential(sizes, activation, phase):
    modules = []
    for layer, (weight, bias) in enumerate(layer_values(sizes, phase)):
        linear = nn.Linear(len(weight[0]), len(weight))
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weight))
            linear.bias.copy_(torch.tensor(bias))
        modules.append(linear)
        if layer < len(sizes) - 2:
            modules.append(activation())
    return nn.Sequential(*modules)


def named(prefix, module):
    return {f"{prefix}.{name}": p.detach().flatten().tolist() for name, p in module.named_parameters()}


def grads(prefix, module):
    return {f"{prefix}.{name}": p.grad.detach().flatten().tolist() for name, p in module.named_parameters()}


def total_norm(modules):
    norms = [p.grad.detach().norm(2) for m in modules for p in m.parameters()]
    return torch.norm(torch.stack(norms), 2).item()


def observations(scale, phase):
    return torch.tensor(
        [[scale * math.sin(1.1 * k + 0.7 * j + phase) for j in range(OBS_DIM)] for k in range(BATCH)]
    )


def dqn_case():
    sizes = [OBS_DIM, *HIDDEN, N_ACTIONS]
    q_network = sequential(sizes, nn.ReLU, 0.0)
    target_network = sequential(sizes, nn.ReLU, 0.5)
    optimizer = torch.optim.Adam(q_network.parameters(), lr=LEARNING_RATE)
    gamma = 0.99
    obs = observations(1.0, 0.0)
    next_obs = observations(1.2, 0.4)
    actions = torch.tensor([[(k * 7) % 3 % 2] for k in range(BATCH)])
    rewards = torch.tensor([1.0 if k % 3 else 0.5 for k in range(BATCH)])
    dones = torch.tensor([1.0 if k % 5 == 0 else 0.0 for k in range(BATCH)])
    inputs = {
        "weights": named("q_network", q_network),
        "target_weights": named("target_network", target_network),
        "obs": obs.flatten().tolist(),
        "next_obs": next_obs.flatten().tolist(),
        "actions": actions.flatten().tolist(),
        "rewards": rewards.tolist(),
        "dones": dones.tolist(),
    }
    steps = []
    for step in range(STEPS):
        with torch.no_grad():
            target_max, _ = target_network(next_obs).max(dim=1)
            td_target = rewards + gamma * target_max * (1 - dones)
        old_val = q_network(obs).gather(1, actions).squeeze()
        loss = nn.functional.mse_loss(td_target, old_val)
        optimizer.zero_grad()
        loss.backward()
        record = {"loss": loss.item(), "q_mean": old_val.mean().item(), "grad_norm": total_norm([q_network])}
        if step == 0:
            record["grads"] = grads("q_network", q_network)
        optimizer.step()
        steps.append(record)
    return {
        "config": {"hidden_sizes": HIDDEN, "learning_rate": LEARNING_RATE, "gamma": gamma, "adam_eps": 1e-8},
        "inputs": inputs,
        "steps": steps,
        "weights_after": named("q_network", q_network),
    }


def ppo_case():
    # max_grad_norm below the first gradients' norm (0.46), so that clipping acts.
    clip_coef, ent_coef, vf_coef, max_grad_norm, adam_eps = 0.2, 0.01, 0.5, 0.3, 1e-5
    critic = sequential([OBS_DIM, *HIDDEN, 1], nn.Tanh, 1.0)
    actor = sequential([OBS_DIM, *HIDDEN, N_ACTIONS], nn.Tanh, 2.0)
    # CleanRL's Agent defines the critic first: its parameters come first.
    params = [*critic.parameters(), *actor.parameters()]
    optimizer = torch.optim.Adam(params, lr=LEARNING_RATE, eps=adam_eps)
    obs = observations(1.5, 0.3)
    actions = torch.tensor([(k * 5) % 7 % 2 for k in range(BATCH)])
    with torch.no_grad():
        start_logp = Categorical(logits=actor(obs)).log_prob(actions)
        start_value = critic(obs).view(-1)
    # Old log-probabilities and values away from the current ones, so that
    # both the ratio and the value clipping are exercised.
    logprobs = start_logp + torch.tensor([0.25 * math.sin(1.9 * k) for k in range(BATCH)])
    values = start_value + torch.tensor([0.3 * math.cos(1.3 * k) for k in range(BATCH)])
    advantages = torch.tensor([2.0 * math.sin(0.77 * k) + 0.5 for k in range(BATCH)])
    returns = advantages + values
    inputs = {
        "weights": {**named("critic", critic), **named("actor", actor)},
        "obs": obs.flatten().tolist(),
        "actions": actions.tolist(),
        "logprobs": logprobs.tolist(),
        "values": values.tolist(),
        "advantages": advantages.tolist(),
        "returns": returns.tolist(),
    }
    steps = []
    for step in range(STEPS):
        logits = actor(obs)
        probs = Categorical(logits=logits)
        newlogprob, entropy = probs.log_prob(actions), probs.entropy()
        newvalue = critic(obs).view(-1)
        logratio = newlogprob - logprobs
        ratio = logratio.exp()
        with torch.no_grad():
            approx_kl = ((ratio - 1) - logratio).mean()
            clip_fraction = ((ratio - 1.0).abs() > clip_coef).float().mean()
        mb_advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
        pg_loss1 = -mb_advantages * ratio
        pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
        pg_loss = torch.max(pg_loss1, pg_loss2).mean()
        v_loss_unclipped = (newvalue - returns) ** 2
        v_clipped = values + torch.clamp(newvalue - values, -clip_coef, clip_coef)
        v_loss_clipped = (v_clipped - returns) ** 2
        v_loss = 0.5 * torch.max(v_loss_unclipped, v_loss_clipped).mean()
        entropy_loss = entropy.mean()
        loss = pg_loss - ent_coef * entropy_loss + v_loss * vf_coef
        optimizer.zero_grad()
        loss.backward()
        record = {
            "loss": loss.item(),
            "policy_loss": pg_loss.item(),
            "value_loss": v_loss.item(),
            "entropy": entropy_loss.item(),
            "approx_kl": approx_kl.item(),
            "clip_fraction": clip_fraction.item(),
        }
        if step == 0:
            record["grads"] = {**grads("critic", critic), **grads("actor", actor)}
        record["grad_norm"] = nn.utils.clip_grad_norm_(params, max_grad_norm).item()
        optimizer.step()
        steps.append(record)
    return {
        "config": {
            "hidden_sizes": HIDDEN,
            "learning_rate": LEARNING_RATE,
            "adam_eps": adam_eps,
            "clip_coef": clip_coef,
            "ent_coef": ent_coef,
            "vf_coef": vf_coef,
            "max_grad_norm": max_grad_norm,
        },
        "inputs": inputs,
        "steps": steps,
        "weights_after": {**named("critic", critic), **named("actor", actor)},
    }


def main():
    reference = {
        "produced_by": "python agents/tests/data/torch_parity/make_reference.py",
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "dqn": dqn_case(),
        "ppo": ppo_case(),
    }
    json.dump(reference, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
