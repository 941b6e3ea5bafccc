// A test goal can be answered by a rule.
price(apple, 3).
cheap(X) :- price(X, P) & P < 5.
!start.
+!start <- ?cheap(F); .print(F, "is cheap").
