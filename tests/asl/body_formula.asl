// Relational formulas as body steps: a false one fails the plan.
// exit: 1
!start.
+!start <- X = 3; X > 2; .print("passed"); X > 5; .print("never").
