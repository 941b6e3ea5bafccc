// hand: python-agentspeak has no askOne; in Jason an unanswered ask with a timeout answers `timeout`.
!start.
+!start <- .send(nobody, askOne, value(X), A, 500); .print("answer", A).
