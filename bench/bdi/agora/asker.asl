// Asks every responder for its value at once (one intention per ask) and
// stops when all have answered.
responders(10000).
answered(0).
!start.
+!start : responders(N) <- for (.range(I, 1, N)) { !!ask(I) }.
+!ask(I) <- .concat("responder-", I, Name); .send(Name, askOne, value(V), value(X)); !count.
+!count : answered(A) & responders(N) & A + 1 == N <- -+answered(N); .print("all answered", N); .stopMAS.
+!count : answered(A) <- -+answered(A + 1).
