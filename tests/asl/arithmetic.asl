// Arithmetic operators and their precedence.
!start.
+!start <- .print(1 + 2 * 3, (1 + 2) * 3, 10 - 4 - 3);
   .print(7 / 2, 7 div 2, 7 mod 3, 2 ** 10);
   .print(-5 + 2, -(3 + 4), 2 * -3).
