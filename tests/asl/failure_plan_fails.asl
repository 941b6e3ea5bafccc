// hand: python-agentspeak ignores -!g; in Jason a failing failure plan drops the intention.
// exit: 1
!start.
+!start <- !g; .print("never").
+!g <- .fail.
-!g <- .print("handling"); .fail.
