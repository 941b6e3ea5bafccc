// .member backtracks in a context until the rest holds.
!start.
+!start : .member(X, [1, 5, 8]) & X > 4 <- .print("first above 4", X).
