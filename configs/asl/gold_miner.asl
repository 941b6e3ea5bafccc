// A gold miner for the shared `gold-miners` world, in the spirit of
// Jason's gold-miners example: wander until a nugget is in sight, walk to
// it, pick it up, carry it to the depot, drop it there, repeat. The world's
// percepts (pos, gold, obstacle, agent, depot, carrying, world_done, ...)
// are beliefs with source(percept), refreshed before every reasoning cycle;
// .move(D), .pick and .drop act on the world at once.

heading(right).
detour(0).

// A cell a miner may step into: on the grid, no obstacle, no other miner.
free(X, Y) :- grid_size(W, H) & X >= 0 & Y >= 0 & X < W & Y < H
              & not obstacle(X, Y) & not agent(_, X, Y).

next(up, X, Y, X, Y - 1).
next(down, X, Y, X, Y + 1).
next(left, X, Y, X - 1, Y).
next(right, X, Y, X + 1, Y).

!mine.

+!mine : world_done.
+!mine : carrying & pos(X, Y) & depot(X, Y) <- .drop; !mine.
+!mine : not carrying & pos(X, Y) & gold(X, Y) <- .pick; !mine.
+!mine : detour(K) & K > 0 <- -+detour(K - 1); !wander; !mine.
+!mine : carrying & depot(DX, DY) <- !step_towards(DX, DY); !mine.
+!mine : not carrying & gold(GX, GY) <- !step_towards(GX, GY); !mine.
+!mine <- !wander; !mine.

// One step closer along x, else along y. When neither is free, a detour of
// a few wandering steps, so the miner does not step aside and straight
// back forever.
+!step_towards(TX, TY) : pos(X, Y) & X < TX & free(X + 1, Y) <- .move(right).
+!step_towards(TX, TY) : pos(X, Y) & X > TX & free(X - 1, Y) <- .move(left).
+!step_towards(TX, TY) : pos(X, Y) & Y < TY & free(X, Y + 1) <- .move(down).
+!step_towards(TX, TY) : pos(X, Y) & Y > TY & free(X, Y - 1) <- .move(up).
+!step_towards(_, _) <- .random([2, 3, 4, 5], K); -+detour(K); !wander.

// Keep going one way until blocked, then pick a new heading at random.
+!wander : heading(D) & pos(X, Y) & next(D, X, Y, NX, NY) & free(NX, NY) <- .move(D).
+!wander <- .random([up, down, left, right], D); -+heading(D); .move(D).

+world_done : delivered(N) & gold_left(L) <-
    .print("world done:", N, "nuggets delivered,", L, "left");
    .stopMAS.
