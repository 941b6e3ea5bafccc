// exit: 1
// A goal without any plan fails the intention; the run reports it.
!start.
+!start <- .print("before"); !missing; .print("never").
