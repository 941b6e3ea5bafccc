// Counting by recursive achievement goals.
!count(1).
+!count(N) : N <= 5 <- .print(N); !count(N + 1).
+!count(N) : N > 5 <- .print("done").
