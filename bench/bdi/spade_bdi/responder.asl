// Responder of bench/bdi/spade_bdi/ask_many.py.
//
// Python gives each responder one belief value(K) (a percept, via
// agent.bdi.set_belief("value", K)).  spade-bdi 0.3.3 has no askOne (its
// .send knows tell/untell/achieve/unachieve/tellHow/untellHow/askHow only),
// so the question arrives as an achievement goal and the answer goes back to
// the sender as a tell: the request/answer equivalent of askOne value(K).

+!ask_value(R)[source(S)] : value(K)
   <- .send(S, tell, answer(R, K)).
