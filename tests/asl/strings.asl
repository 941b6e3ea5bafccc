// Strings with escapes and spaces.
!start.
+!start <- .print("a \"quoted\" word"); .print("tab\tend"); X = "x y"; .print(X).
