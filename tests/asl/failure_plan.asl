// hand: python-agentspeak ignores -!g failure plans; in Jason the failure plan runs and the caller continues.
!start.
+!start <- .print("start"); !risky; .print("after risky").
+!risky <- .print("trying"); .fail; .print("never").
-!risky <- .print("recovered").
