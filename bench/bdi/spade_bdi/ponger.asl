// Pong side of the spade-bdi ping-pong (bench/bdi/spade_bdi/pingpong.py).
// Each ping(N) told by S is removed again and answered with pong(N).

+ping(N)[source(S)]
   <- -ping(N)[source(S)];
      .send(S, tell, pong(N)).
