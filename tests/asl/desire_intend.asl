// hand: python-agentspeak has no .desire/.intend; Jason reports the agent's own goals.
!start.
+!start <- !inner.
+!inner <- if (.intend(start)) { .print("intends start") };
   if (.desire(inner)) { .print("desires inner") };
   if (not .intend(other)) { .print("does not intend other") }.
