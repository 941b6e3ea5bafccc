// .length of lists.
!start.
+!start <- .length([a, b, c], N); .print(N); .length([], Z); .print(Z).
