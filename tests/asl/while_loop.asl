// while re-evaluates its condition against the current beliefs.
counter(0).
!start.
+!start <- while (counter(C) & C < 3) { .print("counter", C); -+counter(C + 1) }; .print("end").
