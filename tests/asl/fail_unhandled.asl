// exit: 1
// .fail with no failure plan drops the intention.
!start.
+!start <- .print("one"); .fail; .print("never").
