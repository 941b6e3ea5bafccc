// The smallest program: one initial goal, one plan, one print.
!start.
+!start <- .print("hello world").
