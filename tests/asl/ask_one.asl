// hand: python-agentspeak has no askOne; Jason suspends the asker until the answer arrives.
value(42).
!start.
+!start <- .my_name(Me); .send(Me, askOne, value(X), Answer); .print("answer", Answer).
