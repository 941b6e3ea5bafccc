// Relational operators in conditions.
!start.
+!start <- if (1 < 2) { .print("lt") };
   if (2 <= 2) { .print("le") };
   if (3 > 2) { .print("gt") };
   if (3 >= 4) { .print("ge wrong") } else { .print("not ge") };
   if (a == a) { .print("eq") };
   if (a \== b) { .print("ne") };
   if (f(1) == f(1)) { .print("eq struct") }.
