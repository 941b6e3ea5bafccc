// hand: python-agentspeak has no .drop_intention; Jason drops the whole intention silently.
!start.
+!start <- .print("before"); .drop_intention(start); .print("never").
