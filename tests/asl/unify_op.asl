// The = operator unifies (binding in both directions, inside structures).
!start.
+!start <- X = f(Y, b); Y = 3; .print(X);
   g(A, 2) = g(1, B); .print(A, B);
   [P, Q] = [first, second]; .print(Q, P).
