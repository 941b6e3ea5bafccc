// .concat joins lists, and strings.
!start.
+!start <- .concat([1, 2], [3], L); .print(L); .concat("ab", "cd", S); .print(S).
