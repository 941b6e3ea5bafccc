// hand: python-agentspeak cannot take a conjunction as .findall's query; Jason can.
p(1). p(2). p(3).
!start.
+!start <- .findall(X, p(X) & X > 1, L); .sort(L, S); .print(S).
