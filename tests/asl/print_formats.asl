// How .print shows each kind of term (python-agentspeak's format).
!start.
+!start <- .print(atom, "string", 42, 2.5, -3, 4.0);
   .print(f(a, "s", 1, 2.0), [1, "x", g("y")], []);
   .print("several", "strings", "joined").
