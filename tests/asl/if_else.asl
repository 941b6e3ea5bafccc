// if / else in a plan body.
!check(3).
+!check(X) <- if (X > 2) { .print("big") } else { .print("small") };
   if (X > 5) { .print("huge") } else { .print("not huge") }.
