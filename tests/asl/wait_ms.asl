// .wait(Ms) suspends the intention; the standalone runner's clock is virtual.
!start.
+!start <- .print("before"); .wait(200); .print("after").
