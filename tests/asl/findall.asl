// .findall collects the instances of a template (sorted: belief order is not defined in python-agentspeak).
p(1). p(2). p(3).
!start.
+!start <- .findall(X, p(X), L); .length(L, N); .print(N); .sort(L, S); .print(S).
