// hand: python-agentspeak 0.2.2 has no `elif`; Jason does.
!start.
+!start <- !grade(95); !grade(75); !grade(10).
+!grade(S) <- if (S >= 90) { .print(S, a) } elif (S >= 70) { .print(S, b) } else { .print(S, f) }.
