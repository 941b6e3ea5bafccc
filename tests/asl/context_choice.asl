// The context picks the plan for each argument.
!classify(5).
!classify(-2).
!classify(0).
+!classify(N) : N > 0 <- .print(N, "positive").
+!classify(N) : N < 0 <- .print(N, "negative").
+!classify(N) <- .print(N, "zero").
