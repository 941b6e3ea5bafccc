// hand: python-agentspeak has no askAll; Jason answers with the list of all instances (newest belief first).
item(a). item(b).
!start.
+!start <- .my_name(Me); .send(Me, askAll, item(X), L); .sort(L, S); .print(S).
