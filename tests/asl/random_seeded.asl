// .random gives a number in [0, 1).
!start.
+!start <- .random(X); if (X >= 0 & X < 1) { .print("in range") }.
