// A rule combining two beliefs with &.
a(1). a(2). b(2).
both(X) :- a(X) & b(X).
!start.
+!start : both(X) <- .print("both", X).
