// hand: python-agentspeak has no .succeed_goal; in Jason the goal ends as if achieved and its caller goes on.
!start.
+!start <- !loop; .print("loop ended").
+!loop <- .print("in loop"); .succeed_goal(loop); .print("never").
