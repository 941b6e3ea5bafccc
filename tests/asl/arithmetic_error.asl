// hand: python-agentspeak raises a Python TypeError with a traceback; Jason fails the plan, which a -!g plan can handle.
!start.
+!start <- !calc; .print("after").
+!calc <- X = "text" + 1; .print("never", X).
-!calc <- .print("arithmetic failed").
