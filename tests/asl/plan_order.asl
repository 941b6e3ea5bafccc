// The first applicable plan in source order is chosen.
!start.
+!start : false <- .print("never").
+!start : true <- .print("second plan").
+!start <- .print("third plan").
