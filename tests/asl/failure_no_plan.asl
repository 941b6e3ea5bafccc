// hand: python-agentspeak ignores -!g; in Jason a goal with no applicable plan raises -!g for that goal.
!start.
+!start <- !g(5); .print("continued").
+!g(X) : X > 10 <- .print("big").
-!g(X) <- .print("no plan applied for", X).
