// not in a context: negation as failure.
door(closed).
!start.
+!start : not door(open) <- .print("door is not open").
