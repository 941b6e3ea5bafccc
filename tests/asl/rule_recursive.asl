// A recursive rule (transitive closure), queried with a bound goal.
parent(ann, bob). parent(bob, cid). parent(cid, dan).
ancestor(X, Y) :- parent(X, Y).
ancestor(X, Y) :- parent(X, Z) & ancestor(Z, Y).
!start.
+!start <- if (ancestor(ann, dan)) { .print("ann is an ancestor of dan") };
   if (not ancestor(dan, ann)) { .print("dan is not an ancestor of ann") }.
