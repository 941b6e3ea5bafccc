// untell removes the belief told by the same sender.
!start.
+!start <- .my_name(Me); .send(Me, tell, fact(1)); .send(Me, untell, fact(1)).
+fact(X)[source(S)] <- .print("told", X).
-fact(X)[source(S)] <- .print("untold", X).
