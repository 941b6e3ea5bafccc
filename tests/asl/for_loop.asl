// for iterates over every solution of its formula.
item(apple). item(pear).
!start.
+!start <- for (.member(X, [1, 2, 3])) { .print("x", X) }; .print("after").
