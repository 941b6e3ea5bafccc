// hand: python-agentspeak 0.2.2 has no .stopMAS (it fails the plan); Jason stops the system.
!start.
+!start <- .print("stopping"); .stopMAS; .print("never").
