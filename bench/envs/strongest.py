"""Each (env, num_envs) cell against its strongest peers (stdlib only;
peers.py stores the result in its cells, bench/tables.py recomputes it for
files that predate it).

One-thread Agora is compared with the fastest peer that also steps on one
thread; Agora through K shards with the fastest peer of any thread count;
and K shards with K times the one-thread VecEnv (the scaling efficiency).
"""

# Peers that step on one thread (EnvPool's default uses every core).
ONE_THREAD_PEERS = ("gym_single", "gym_sync", "gym_numpy", "envpool_1t")


def against_strongest(medians):
    """The comparisons of one cell, from its medians by implementation."""
    one = max((k for k in medians if k in ONE_THREAD_PEERS), key=medians.get)
    any_thread = max((k for k in medians if not k.startswith("agora")), key=medians.get)
    out = {"strongest_one_thread_peer": one, "strongest_peer": any_thread,
           "agora/strongest_one_thread_peer": medians["agora"] / medians[one]}
    for key in medians:
        if key.startswith("agora_actors_"):
            shards = int(key.rsplit("_", 1)[1])
            out[f"{key}/strongest_peer"] = medians[key] / medians[any_thread]
            out[f"{key}/agora"] = medians[key] / medians["agora"]
            out[f"{key}_efficiency"] = medians[key] / (shards * medians["agora"])
    return out
