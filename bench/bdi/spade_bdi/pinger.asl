// Ping side of the spade-bdi ping-pong (bench/bdi/spade_bdi/pingpong.py).
//
// Python gives the pinger one percept, go(Pong, Total): the pong agent's JID
// and how many round trips to make (warm-up + measured).  Every pong(N) that
// comes back is removed again at once (so the belief base stays small),
// stamped by the Python action .round_trip(N), and answered with ping(N + 1)
// until N reaches Total; then .finished tells Python we are done.

+go(Pong, Total) <- .send(Pong, tell, ping(1)).

+pong(N)[source(S)] : go(_, Total) & N < Total
   <- -pong(N)[source(S)];
      .round_trip(N);
      .send(S, tell, ping(N + 1)).

+pong(N)[source(S)] : go(_, Total) & N >= Total
   <- -pong(N)[source(S)];
      .round_trip(N);
      .finished.
