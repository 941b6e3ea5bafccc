// hand: python-agentspeak ignores -!g; in Jason a failure deep in sub-goals is handled by the nearest goal with a failure plan, and everything above it is dropped.
!top.
+!top <- !middle; .print("top continues").
+!middle <- !bottom; .print("never: middle").
+!bottom <- X = 1; X > 2; .print("never: bottom").
-!middle <- .print("middle failed, handled").
