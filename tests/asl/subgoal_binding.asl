// A sub-goal binds a variable of its caller.
!start.
+!start <- !compute(5, R); .print("result", R).
+!compute(N, R) <- R = N * N.
