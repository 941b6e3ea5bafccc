// Asker of bench/bdi/spade_bdi/ask_many.py.
//
// Python gives the asker the percept peers(Peers) (a list of responder JIDs)
// and then, once per round, round(R).  The asker asks every responder at once
// (one .send to the whole list: spade-bdi submits one XMPP send per receiver,
// all in flight together), and each answer(R, K) told back is removed at once
// and handed to the Python action .answered(R, K), which counts and checks it.

+round(R) : peers(Peers)
   <- .send(Peers, achieve, ask_value(R)).

+answer(R, K)[source(S)]
   <- -answer(R, K)[source(S)];
      .answered(R, K).

// Probe (after the benchmark): what a receiver does with askOne.
+probe_askone(P)
   <- .send(P, askOne, value(X)).
