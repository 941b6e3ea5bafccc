// hand: python-agentspeak has no askOne; in Jason an askOne nobody can answer gives false.
!start.
+!start <- .my_name(Me); .send(Me, askOne, unknown(X), Answer); .print("answer", Answer).
