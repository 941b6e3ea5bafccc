// .nth picks an element by 0-based index.
!start.
+!start <- .nth(0, [a, b, c], X); .nth(2, [a, b, c], Y); .print(X, Y).
