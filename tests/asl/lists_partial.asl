// hand: python-agentspeak rejects [A, B|Rest]; Jason accepts it.
!start.
+!start <- [A, B|Rest] = [a, b, c, d]; .print(A, B, Rest).
