// FrozenLake by Q-learning from AgentSpeak, the SPADE-BDI way: the program
// runs the episodes and keeps its position and goal as beliefs; the env and
// the Q-table are reached through custom actions (.env_step, .q_action,
// .q_update, ...). After training it plays greedy episodes with the table
// it learned and reports its success rate.

episodes(10000).
evaluation(1000).
goal(15).
wins(0).

!train(1).

+!train(N) : episodes(Max) & N > Max <-
    .q_epsilon(E);
    .print("trained", Max, "episodes; epsilon", E);
    ?evaluation(Games);
    !play(1, Games).
+!train(N) <-
    .env_reset(S);
    -+pos(S);
    !explore(S);
    .q_episode_done;
    !train(N + 1).

+!explore(S) <-
    .q_action(S, A);
    .env_step(A, step(S2, R, Done));
    .q_update(S, A, R, S2, Done);
    -+pos(S2);
    !explore_on(S2, Done).

+!explore_on(_, true).
+!explore_on(S, false) <- !explore(S).

// Greedy play with the learned table.
+!play(N, Games) : N > Games & wins(W) <-
    Rate = W / Games;
    .print("greedy success rate", Rate, "over", Games, "episodes");
    .stopMAS.
+!play(N, Games) <-
    .env_reset(S);
    -+pos(S);
    !greedy(S);
    !play(N + 1, Games).

+!greedy(S) <-
    .q_best(S, A);
    .env_step(A, step(S2, R, Done));
    -+pos(S2);
    !greedy_on(S2, R, Done).

+!greedy_on(S, R, true) : goal(S) & wins(W) <- -+wins(W + 1).
+!greedy_on(_, _, true).
+!greedy_on(S, _, false) <- !greedy(S).
