// hand: python-agentspeak ignores -!g; Jason's failure event carries error(...) annotations.
!start.
+!start <- !g(1).
+!g(X) <- .fail.
-!g(X)[error(E)] <- .print("goal", X, "failed with", E).
